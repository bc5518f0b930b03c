import CardDecoding
import CLibUSB
import Foundation

/// What binds a device to a configured reader: vendor and product from its descriptor, the port
/// path from libusb_get_port_numbers, and the serial number the kernel read from the device's
/// iSerialNumber string at enumeration (sysfs `serial`, what udev matches as `ATTR{serial}`), so
/// that neither the daemon nor `loyaltyd readers` has to open the device to know which it is.
enum USBDeviceIdentification {
    static func identity(of device: OpaquePointer) -> USBReaderSpec.DeviceIdentity? {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0 else { return nil }
        var ports = [UInt8](repeating: 0, count: 8)
        let depth = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        guard depth > 0 else { return nil }  // a root hub
        let portPath = "\(libusb_get_bus_number(device))-" + ports.prefix(Int(depth)).map(String.init).joined(separator: ".")
        return .init(vendorID: descriptor.idVendor, productID: descriptor.idProduct, serialNumber: serialNumber(portPath: portPath), portPath: portPath)
    }

    /// The serial number sysfs gives for the device at `portPath`; `nil` when it has none.
    static func serialNumber(portPath: String) -> String? {
        guard let text = try? String(contentsOfFile: "/sys/bus/usb/devices/\(portPath)/serial", encoding: .utf8) else { return nil }
        let serial = text.trimmingCharacters(in: .newlines)
        return serial.isEmpty ? nil : serial
    }
}
