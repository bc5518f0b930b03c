/// What tells a PC/SC reader from an identical one whatever index pcscd gave it: pcscd names two
/// identical readers alike but for an index that follows plug order, so lanes bind to these.
public struct PCSCReaderIdentity: Sendable, Hashable {
    /// Where a reader's serial number was learnt.
    public enum SerialSource: String, Sendable, Hashable {
        /// The driver's `SCARD_ATTR_VENDOR_IFD_SERIAL_NO` (the CCID driver: the USB iSerialNumber).
        case attribute
        /// The `(SERIAL)` pcsc-lite's USB hotplug puts in the name (``PCSCReaderName``).
        case name
    }

    /// The reader's name as pcscd lists it.
    public var name: String
    /// The reader's serial number; `nil` when neither the driver nor the name gives one.
    public var serialNumber: String?
    public var serialSource: SerialSource?
    /// The USB port of the device behind the reader, `BUS-PORT[.PORT…]` like `1-1.2`: the driver's
    /// `SCARD_ATTR_CHANNEL_ID` (USB bus and address) looked up in sysfs. `nil` for a reader that is
    /// not USB or whose driver does not say (vpcd, serial readers).
    public var portPath: String?

    public init(name: String, serialNumber: String? = nil, serialSource: SerialSource? = nil, portPath: String? = nil) {
        self.name = name
        self.serialNumber = serialNumber
        self.serialSource = serialNumber == nil ? nil : serialSource
        self.portPath = portPath
    }
}
