/// A USB reader the configuration names: which device, how it talks, and which till it serves.
public struct USBReaderSpec: Sendable, Hashable {
    public typealias ReportProtocol = ReaderReportProtocol

    /// The reader's name in logs, `status` and notifications.
    public var name: String
    public var vendorID: UInt16
    public var productID: UInt16
    /// The serial number the device must report (its iSerialNumber string); `nil` accepts any.
    public var serialNumber: String?
    /// The physical port the device must be plugged into, as `BUS-PORT[.PORT…]` (`1-1.2`, from
    /// libusb_get_port_numbers; the kernel's name for the device); `nil` accepts any port.
    public var portPath: String?
    /// The interface to claim; `nil` takes the first with an interrupt IN endpoint.
    public var interface: Int?
    public var reportProtocol: ReportProtocol
    /// For keyboard readers: the layout the reader is set to, and the gap that ends a scan without Enter.
    public var layout: KeyboardLayout
    public var keyGapMilliseconds: Int
    public var tillID: String?

    public init(
        name: String, vendorID: UInt16, productID: UInt16, interface: Int?, reportProtocol: ReportProtocol,
        layout: KeyboardLayout, keyGapMilliseconds: Int, tillID: String?, serialNumber: String? = nil, portPath: String? = nil
    ) {
        self.name = name
        self.serialNumber = serialNumber
        self.portPath = portPath
        self.vendorID = vendorID
        self.productID = productID
        self.interface = interface
        self.reportProtocol = reportProtocol
        self.layout = layout
        self.keyGapMilliseconds = keyGapMilliseconds
        self.tillID = tillID
    }
}
