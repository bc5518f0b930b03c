import CardDecoding

/// A USB reader the configuration names: which device, how it talks, and which till it serves.
public struct USBReaderSpec: Sendable, Hashable {
    public typealias ReportProtocol = ReaderReportProtocol

    /// The reader's name in logs, `status` and notifications.
    public var name: String
    public var vendorID: UInt16
    public var productID: UInt16
    /// The interface to claim; `nil` takes the first with an interrupt IN endpoint.
    public var interface: Int?
    public var reportProtocol: ReportProtocol
    /// For keyboard readers: the layout the reader is set to, and the gap that ends a scan without Enter.
    public var layout: KeyboardLayout
    public var keyGapMilliseconds: Int
    public var tillID: String?

    public init(
        name: String, vendorID: UInt16, productID: UInt16, interface: Int?, reportProtocol: ReportProtocol,
        layout: KeyboardLayout, keyGapMilliseconds: Int, tillID: String?
    ) {
        self.name = name
        self.vendorID = vendorID
        self.productID = productID
        self.interface = interface
        self.reportProtocol = reportProtocol
        self.layout = layout
        self.keyGapMilliseconds = keyGapMilliseconds
        self.tillID = tillID
    }
}

/// What the USB reader monitor reports.
public enum USBReaderEvent: Sendable, Hashable {
    case readerAdded(USBReaderSpec, bus: Int, address: Int)
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
