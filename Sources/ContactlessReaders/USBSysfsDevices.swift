import Foundation

/// The USB devices the kernel lists in sysfs (`/sys/bus/usb/devices`), to turn a bus number and
/// device address (what a PC/SC driver gives as `SCARD_ATTR_CHANNEL_ID`) into the device's port
/// path, the kernel's name for it (`1-1.2`). The address changes on every replug; the port does not.
public struct USBSysfsDevices: Sendable {
    /// The directory holding one entry per device and interface.
    public var directory: String

    /// The system's: `/sys/bus/usb/devices`.
    public static let system = USBSysfsDevices(directory: "/sys/bus/usb/devices")

    public init(directory: String) {
        self.directory = directory
    }

    /// The port path of the device at `bus` and `address`; `nil` when no device there has them
    /// (unplugged since) or when it is a root hub (`usbN`, which has no port).
    public func portPath(bus: Int, address: Int) -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        // Interfaces (`1-1.2:1.0`) and root hubs (`usb1`) carry no port path of their own.
        for entry in entries.sorted() where !entry.contains(":") && !entry.hasPrefix("usb") {
            if number(entry, "busnum") == bus, number(entry, "devnum") == address { return entry }
        }
        return nil
    }

    /// The bus and address a PC/SC `SCARD_ATTR_CHANNEL_ID` names: `0x0020BBAA` for a USB device
    /// on bus `BB` at address `AA` (the CCID driver's encoding); `nil` for any other channel type.
    public static func usbDevice(channelID: UInt32) -> (bus: Int, address: Int)? {
        guard channelID >> 16 == 0x0020 else { return nil }
        return (Int((channelID >> 8) & 0xFF), Int(channelID & 0xFF))
    }

    private func number(_ entry: String, _ attribute: String) -> Int? {
        guard let text = try? String(contentsOfFile: directory + "/" + entry + "/" + attribute, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
