import CardDecoding
import LoyaltyDomain

/// What the USB reader monitor reports.
public enum USBReaderEvent: Sendable, Hashable {
    /// A configured reader was claimed; `device` says which one (its serial number and port).
    case readerAdded(USBReaderSpec, device: USBReaderSpec.DeviceIdentity?, bus: Int, address: Int)
    /// Claiming failed (permissions, another driver): the reader is present but unusable.
    case readerUnusable(USBReaderSpec, reason: String)
    case readerRemoved(USBReaderSpec)
    /// A scan or swipe, already decoded. Bank cards arrive here only as their last four digits.
    case read(USBReaderSpec, USBRead)
}

/// One decoded read from a USB reader.
public enum USBRead: Sendable, Hashable {
    /// A barcode, as scanned (symbology identifier when the scanner gave one).
    case barcode(String)
    case swipe(SwipedCard)
}
