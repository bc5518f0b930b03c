import ContactlessReaders
import Foundation
import Testing

/// What binds a PC/SC reader to its lane beyond pcscd's index: the serial number pcsc-lite puts in
/// the name, and the port path found in sysfs from the driver's `SCARD_ATTR_CHANNEL_ID`.
@Suite struct PCSCReaderIdentityTests {
    @Test func theSerialIsReadFromTheNameAsPcscLiteBuildsIt() {
        #expect(PCSCReaderName.serialNumber(in: "ACS ACR1252 1S CL Reader [ACR1252 1S CL Reader PICC] (1234ABCD) 00 00") == "1234ABCD")
        #expect(PCSCReaderName.serialNumber(in: "Gemalto PC Twin Reader (645D9C2A) 01 00") == "645D9C2A")
        #expect(PCSCReaderName.serialNumber(in: "Identiv uTrust 3700 F CL Reader (53691324212792) 00 01") == "53691324212792")
        // No serial: the reader has none, or pcsc-lite left it out (it is in the interface string).
        #expect(PCSCReaderName.serialNumber(in: "ACS ACR122U PICC Interface 00 00") == nil)
        #expect(PCSCReaderName.serialNumber(in: "SCM SCR 3310 [CCID Interface 21120844306107] 00 00") == nil)
        // Not a pcsc-lite name (no indexes), or the name was cut before the closing parenthesis.
        #expect(PCSCReaderName.serialNumber(in: "Reader (1234ABCD)") == nil)
        #expect(PCSCReaderName.serialNumber(in: "Reader (1234ABCD 00 00") == nil)
        #expect(PCSCReaderName.serialNumber(in: "Reader () 00 00") == nil)
        #expect(PCSCReaderName.serialNumber(in: "Reader (1234ABCD) 0g 00") == nil)
    }

    @Test func theChannelIDNamesAUSBBusAndAddressOnly() {
        #expect(USBSysfsDevices.usbDevice(channelID: 0x0020_0307)! == (3, 7))
        #expect(USBSysfsDevices.usbDevice(channelID: 0x0001_03F8) == nil, "a serial port (0x0001) is no USB device")
    }

    /// A stand-in for /sys/bus/usb/devices: a temporary tree with the entries and attributes the
    /// kernel gives (devices by port path, interfaces with a colon, root hubs as usbN), since the
    /// machine's own sysfs cannot be given a device of our choosing.
    @Test func thePortPathIsFoundFromBusAndAddressInASysfsLikeTree() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sysfs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func device(_ name: String, bus: Int, address: Int) throws {
            try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
            try "\(bus)\n".write(toFile: root + "/\(name)/busnum", atomically: true, encoding: .utf8)
            try "\(address)\n".write(toFile: root + "/\(name)/devnum", atomically: true, encoding: .utf8)
        }
        try device("usb1", bus: 1, address: 1)
        try device("1-1", bus: 1, address: 2)
        try device("1-1.2", bus: 1, address: 5)
        try device("1-1.3", bus: 1, address: 6)
        try device("3-2", bus: 3, address: 5)
        try FileManager.default.createDirectory(atPath: root + "/1-1.2:1.0", withIntermediateDirectories: true)
        let sysfs = USBSysfsDevices(directory: root)
        #expect(sysfs.portPath(bus: 1, address: 5) == "1-1.2")
        #expect(sysfs.portPath(bus: 1, address: 6) == "1-1.3")
        #expect(sysfs.portPath(bus: 3, address: 5) == "3-2", "the same address on another bus is another device")
        #expect(sysfs.portPath(bus: 1, address: 1) == nil, "a root hub has no port")
        #expect(sysfs.portPath(bus: 1, address: 9) == nil, "unplugged since")
        #expect(USBSysfsDevices(directory: root + "/missing").portPath(bus: 1, address: 5) == nil)
    }
}
