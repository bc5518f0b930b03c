/// How a USB reader reports what it read; chosen per reader in the configuration.
public enum ReaderReportProtocol: String, Sendable, Hashable, CaseIterable {
    /// A keyboard-wedge scanner or magstripe reader (HID boot keyboard reports).
    case keyboard
    /// A barcode scanner in HID POS mode (usage page 0x8C).
    case hidPOSBarcode = "hid-pos-barcode"
    /// A MagTek swipe reader in HID mode.
    case magtekHID = "magtek-hid"
}
