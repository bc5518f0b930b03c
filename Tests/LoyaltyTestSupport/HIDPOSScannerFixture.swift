/// Barcode scanners in HID POS mode as three brands lay out their scanned-data reports: each with
/// the HID report descriptor the scanner declares and the input reports it sends for a scan.
///
/// Sources (looked up for issue 12; the bytes below are written out from them):
/// - Usages: USB-IF "HID Point of Sale Usage Tables" 1.02 (2001), Bar Code Scanner page 0x8C:
///   Bar Code Scanner 0x02 (application collection), Scanned Data Report 0x12, Symbology
///   Identifier 1–3 0xFB–0xFD, Decoded Data 0xFE, Decode Data Continued 0xFF.
/// - Honeywell (vendor 0x0c2e): the HID POS interface descriptor in Honeywell's (HHP) scanner
///   firmware, `interfaces_usb2/hid_usb2/kbdpc_usb2/usb2hidkbd.cpp` rev 1.22 (2011, public on
///   GitHub): report 2 = Byte Count, AIM identifier (3 bytes), 56 data bytes, the Honeywell Code ID
///   and a spare byte on vendor page 0xFF66, then 8 Decode Data Continued bits. The 64-byte layout
///   (byte 61 the Code ID, byte 63 bit 0 "more data follows") is the one Honeywell's 1400g sends to
///   github.com/NielsLeenheer/WebHidBarcodeScanner (src/main.js), and product id 0x0b87 is the HID
///   POS Honeywell scanner in qz.io's HID documentation (qz.io/wiki/hid).
/// - Newland (vendor 0x1eab): "How to send and acquire data in HID POS"
///   (newlandaidc.com/en/Services/wiki_info/435.html) and the same table in Newland engine manuals:
///   report 2 = barcode length, decoded data in bytes 2–57, 58–61 reserved, byte 62 the symbology
///   identifier, byte 63 "decoded data continued". Newland publishes the layout, not descriptor
///   bytes: the descriptor here declares exactly that layout with the 0x8C usages above.
/// - Zebra/Symbol (vendor 0x05e0): no published descriptor was found; this one follows the Scanned
///   Data Report of the POS usage tables (which Symbol co-wrote): report 2 = AIM identifier,
///   56 data bytes NUL-padded with no length field, one Decode Data Continued bit and padding.
///   Product id 0x1300 is Symbol's USB OPOS/hand-held scanner id (UsbVid05E0.h, Dar-Ko/babylonlib).
public struct HIDPOSScannerFixture: Sendable {
    public var brand: String
    public var vendorID: UInt16
    public var productID: UInt16
    public var reportDescriptor: [UInt8]
    /// Bytes of one input report, report ID included.
    public var reportLength: Int
    /// Where the data and flags go in a report: data offset, capacity, and a builder of one report.
    private var dataCapacity: Int
    private var build: @Sendable (_ chunk: [UInt8], _ symbology: [UInt8], _ continues: Bool) -> [UInt8]

    /// The reports for one scan of `barcode` with AIM identifier `symbology` (such as `]Q1`).
    public func reports(_ barcode: [UInt8], symbology: String) -> [[UInt8]] {
        let chunks = stride(from: 0, to: max(barcode.count, 1), by: dataCapacity).map { Array(barcode[$0..<min($0 + dataCapacity, barcode.count)]) }
        return chunks.enumerated().map { index, chunk in build(chunk, Array(symbology.utf8), index < chunks.count - 1) }
    }

    public func reports(_ barcode: String, symbology: String) -> [[UInt8]] { reports(Array(barcode.utf8), symbology: symbology) }

    /// The emulated device sending `reports`, carrying this scanner's report descriptor.
    public func device(reports: [[UInt8]]) -> EmulatedUSBReader {
        var reader = EmulatedUSBReader(vendorID: vendorID, productID: productID, transferLength: 64, reports: reports)
        reader.reportDescriptor = reportDescriptor
        return reader
    }

    public static let all = [honeywell, zebra, newland]

    public static let honeywell = HIDPOSScannerFixture(
        brand: "Honeywell", vendorID: 0x0C2E, productID: 0x0B87,
        reportDescriptor: [
            0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01,  // Bar Code Scanner page; Bar Code Scanner; Collection (Application)
            0x09, 0x12, 0xA1, 0x02, 0x85, 0x02,  //   Scanned Data Report; Collection (Logical); Report ID 2
            0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x01,  // 0...255, 8 bits, 1
            0x05, 0x01, 0x09, 0x3B, 0x81, 0x02,  //   Generic Desktop: Byte Count; Input
            0x95, 0x03, 0x05, 0x8C, 0x09, 0xFB, 0x09, 0xFC, 0x09, 0xFD, 0x81, 0x02,  // Symbology Identifier 1–3
            0x95, 0x38, 0x09, 0xFE, 0x82, 0x02, 0x01,  //   56 × Decoded Data; Input (Buffered Bytes)
            0x06, 0x66, 0xFF, 0x95, 0x02, 0x09, 0x04, 0x09, 0x00, 0x81, 0x02,  // HHP page: Code ID, spare
            0x05, 0x8C, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x09, 0xFF, 0x81, 0x02,  // 8 × Decode Data Continued
            0xC0,
            0x09, 0x14, 0xA1, 0x02, 0x85, 0x04,  //   Trigger Report; Report ID 4 (output)
            0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08,
            0x09, 0x00, 0x09, 0x5F, 0x09, 0x60, 0x09, 0x00, 0x09, 0x00, 0x09, 0x85, 0x09, 0x86, 0x91, 0x86,
            0xC0,
            0x06, 0x66, 0xFF, 0x75, 0x08, 0x26, 0xFF, 0x00,  //   HHP page
            0x09, 0x03, 0xA1, 0x02, 0x85, 0xFE, 0x95, 0x01, 0x09, 0x03, 0xB2, 0x82, 0x01, 0xC0,  // Output Redirection (feature 254)
            0x09, 0x01, 0xA1, 0x02, 0x85, 0xFD, 0x95, 0x01, 0x09, 0x21, 0x91, 0x02,  // Serial Data Stream (output 253)
            0x95, 0x3E, 0x09, 0x22, 0x92, 0x82, 0x01, 0xC0,
            0xC0,
        ],
        reportLength: 64, dataCapacity: 56,
        build: { chunk, symbology, continues in
            var report = [UInt8](repeating: 0, count: 64)
            report[0] = 0x02
            report[1] = UInt8(chunk.count)
            report.replaceSubrange(2..<5, with: symbology.prefix(3))
            report.replaceSubrange(5..<(5 + chunk.count), with: chunk)
            report[61] = honeywellCodeID(aim: symbology)
            report[63] = continues ? 0x01 : 0x00
            return report
        })

    public static let newland = HIDPOSScannerFixture(
        brand: "Newland", vendorID: 0x1EAB, productID: 0x8003,
        reportDescriptor: [
            0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01,  // Bar Code Scanner; Collection (Application)
            0x09, 0x12, 0xA1, 0x02, 0x85, 0x02,  //   Scanned Data Report; Collection (Logical); Report ID 2
            0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x01,
            0x05, 0x01, 0x09, 0x3B, 0x81, 0x02,  //   byte 1: Byte Count
            0x05, 0x8C, 0x95, 0x38, 0x09, 0xFE, 0x82, 0x02, 0x01,  // bytes 2–57: Decoded Data
            0x95, 0x04, 0x81, 0x03,  //   bytes 58–61: reserved (constant)
            0x95, 0x01, 0x09, 0xFB, 0x81, 0x02,  //   byte 62: symbology identifier
            0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x09, 0xFF, 0x81, 0x02,  // byte 63: Decode Data Continued
            0xC0,
            0x06, 0x00, 0xFF, 0x09, 0x01, 0xA1, 0x02, 0x85, 0x04,  //   vendor: commands, Report ID 4 (output)
            0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x3F, 0x09, 0x02, 0x91, 0x02,
            0xC0,
            0xC0,
        ],
        reportLength: 64, dataCapacity: 56,
        build: { chunk, symbology, continues in
            var report = [UInt8](repeating: 0, count: 64)
            report[0] = 0x02
            report[1] = UInt8(chunk.count)
            report.replaceSubrange(2..<(2 + chunk.count), with: chunk)
            report[62] = symbology.count > 1 ? symbology[1] : 0  // Newland sends one code character
            report[63] = continues ? 0x01 : 0x00
            return report
        })

    public static let zebra = HIDPOSScannerFixture(
        brand: "Zebra", vendorID: 0x05E0, productID: 0x1300,
        reportDescriptor: [
            0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01,  // Bar Code Scanner; Collection (Application)
            0x09, 0x12, 0xA1, 0x02, 0x85, 0x02,  //   Scanned Data Report; Collection (Logical); Report ID 2
            0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08,
            0x95, 0x03, 0x19, 0xFB, 0x29, 0xFD, 0x81, 0x02,  // Symbology Identifier 1–3 (a usage range)
            0x95, 0x38, 0x09, 0xFE, 0x82, 0x02, 0x01,  //   56 × Decoded Data, NUL-padded
            0x75, 0x01, 0x95, 0x01, 0x25, 0x01, 0x09, 0xFF, 0x81, 0x02,  // Decode Data Continued
            0x75, 0x07, 0x81, 0x03,  //   padding
            0xC0,
            0xC0,
        ],
        reportLength: 61, dataCapacity: 56,
        build: { chunk, symbology, continues in
            var report = [UInt8](repeating: 0, count: 61)
            report[0] = 0x02
            report.replaceSubrange(1..<4, with: symbology.prefix(3))
            report.replaceSubrange(4..<(4 + chunk.count), with: chunk)
            report[60] = continues ? 0x01 : 0x00
            return report
        })

    /// A HID keyboard's descriptor (the boot keyboard interface of the same Honeywell firmware):
    /// what a scanner left in keyboard mode declares. No Bar Code Scanner usage.
    public static let keyboardModeDescriptor: [UInt8] = [
        0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,
        0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x03, 0x95, 0x05, 0x75, 0x01,
        0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x03, 0x95, 0x06,
        0x75, 0x08, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x05, 0x07, 0x19, 0x00, 0x2A, 0xFF, 0x00, 0x81, 0x00,
        0xC0,
    ]

    /// Honeywell's own Code ID for the AIM identifiers the tests use (`s` QR, `d` EAN-13, `j` Code 128).
    private static func honeywellCodeID(aim: [UInt8]) -> UInt8 {
        switch aim.count > 1 ? aim[1] : 0 {
        case UInt8(ascii: "Q"): UInt8(ascii: "s")
        case UInt8(ascii: "E"): UInt8(ascii: "d")
        case UInt8(ascii: "C"): UInt8(ascii: "j")
        default: 0
        }
    }
}
