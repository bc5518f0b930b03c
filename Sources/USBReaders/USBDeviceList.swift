import CardDecoding
import CLibUSB

/// The USB devices on the bus now, for `loyaltyd readers` and `doctor`.
public enum USBDeviceList {
    public struct Device: Sendable, Hashable {
        public var vendorID: UInt16
        public var productID: UInt16
        public var bus: Int
        public var address: Int
        /// The device's serial number, when it reports one.
        public var serialNumber: String?
        /// `BUS-PORT[.PORT…]`, such as `1-1.2`.
        public var portPath: String

        /// What a configured reader is matched against.
        public var identity: USBReaderSpec.DeviceIdentity {
            .init(vendorID: vendorID, productID: productID, serialNumber: serialNumber, portPath: portPath)
        }
    }

    /// Every device libusb sees; throws when libusb cannot start.
    public static func present() throws(USBError) -> [Device] {
        var context: OpaquePointer?
        try USBError.check(libusb_init(&context), "libusb_init")
        defer { libusb_exit(context) }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw USBError(code: Int32(count), call: "libusb_get_device_list") }
        defer { libusb_free_device_list(list, 1) }
        return (0..<count).compactMap { index -> Device? in
            guard let device = list[index], let identity = USBDeviceIdentification.identity(of: device) else { return nil }
            return Device(
                vendorID: identity.vendorID, productID: identity.productID,
                bus: Int(libusb_get_bus_number(device)), address: Int(libusb_get_device_address(device)),
                serialNumber: identity.serialNumber, portPath: identity.portPath)
        }
    }
}
