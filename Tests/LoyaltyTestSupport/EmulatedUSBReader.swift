import Foundation

/// A USB card reader for umockdev: its device description (descriptors, sysfs attributes) and a
/// usbmon capture (pcap, link type 220) of the interrupt reports it sends, which umockdev replays
/// to the unmodified daemon through libusb.
public struct EmulatedUSBReader: Sendable {
    /// The hub port the reader is plugged into (bus 1, device number port + 1). Plugging readers
    /// in again and again takes a new port each time: umockdev cannot replay a removed device anew.
    public var port = 1
    public var sysfsPath: String { "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-\(port)" }
    var deviceNumber: Int { port + 1 }
    var deviceNode: String { String(format: "bus/usb/001/%03d", deviceNumber) }

    public var vendorID: UInt16
    public var productID: UInt16
    /// Bytes of each interrupt transfer the daemon submits (8 for a keyboard, 337 for MagTek).
    public var transferLength: Int
    public var reports: [[UInt8]]
    /// End the capture with a transfer failing with ENODEV, as an unplugged reader does.
    public var endsWithUnplug = false
    /// The HID report descriptor the device declares (a HID POS scanner's). With one, the capture
    /// starts with the GET_DESCRIPTOR control transfer the daemon makes when it claims the device.
    public var reportDescriptor: [UInt8]?
    /// The serial number the device reports (its iSerialNumber string, as sysfs shows it).
    public var serialNumber: String?
    /// The kernel's name for the device: bus 1, its hub port (`1-3`).
    public var portPath: String { "1-\(port)" }

    public init(vendorID: UInt16, productID: UInt16, transferLength: Int, reports: [[UInt8]]) {
        self.vendorID = vendorID
        self.productID = productID
        self.transferLength = transferLength
        self.reports = reports
    }

    /// Writes `NAME.umockdev` and `NAME.pcap` into `directory`; returns their paths.
    public func write(to directory: TemporaryDirectory, name: String) throws -> (device: String, pcap: String) {
        let device = directory.file("\(name).umockdev")
        let pcap = directory.file("\(name).pcap")
        try deviceDescription.write(toFile: device, atomically: true, encoding: .utf8)
        try Data(capture).write(to: URL(fileURLWithPath: pcap))
        return (device, pcap)
    }

    var deviceDescription: String {
        var descriptors: [UInt8] = []
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
        descriptors += [18, 1] + le16(0x0200) + [0, 0, 0, 8] + le16(Int(vendorID)) + le16(Int(productID)) + le16(0x0100) + [1, 2, serialNumber == nil ? 0 : 3, 1]
        // A boot keyboard interface, or a plain HID one carrying its report descriptor.
        let interface: [UInt8] = reportDescriptor == nil ? [9, 4, 0, 0, 1, 3, 1, 1, 0] : [9, 4, 0, 0, 1, 3, 0, 0, 0]
        let hid: [UInt8] = [9, 0x21] + le16(0x0111) + [0, 1, 0x22] + le16(reportDescriptor?.count ?? 63)
        let endpoint: [UInt8] = [7, 5, 0x81, 3] + le16(min(transferLength, 64)) + [10]
        let total = 9 + interface.count + hid.count + endpoint.count
        descriptors += [9, 2] + le16(total) + [1, 1, 0, 0x80, 50] + interface + hid + endpoint
        let hex = descriptors.map { String(format: "%02x", $0) }.joined()
        let serialLine = serialNumber.map { "A: serial=\($0)\\n\n" } ?? ""
        return """
            P: \(sysfsPath.dropFirst(4))
            N: \(deviceNode)
            E: DEVNAME=/dev/\(deviceNode)
            E: DEVTYPE=usb_device
            E: SUBSYSTEM=usb
            A: busnum=1\\n
            A: devnum=\(deviceNumber)\\n
            A: bConfigurationValue=1\\n
            A: speed=12\\n
            \(serialLine)H: descriptors=\(hex)

            """
    }

    /// Per report, a submit record and a completion record carrying its bytes; first, for a device
    /// with a report descriptor, the control transfer that reads it.
    var capture: [UInt8] {
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        append(UInt32(0xA1B2_C3D4)); append(UInt16(2)); append(UInt16(4)); append(Int32(0)); append(UInt32(0))
        append(UInt32(65_535)); append(UInt32(220))
        var microseconds: Int64 = 1_000_000
        var urbID: UInt64 = 1
        func record(_ urb: USBMonURB, data: [UInt8]) {
            let body = usbmonHeader(urb, id: urbID, captured: data.count, microseconds: microseconds) + data
            append(UInt32(microseconds / 1_000_000)); append(UInt32(microseconds % 1_000_000))
            append(UInt32(body.count)); append(UInt32(body.count))
            bytes += body
            microseconds += 1_000
        }
        if let reportDescriptor {
            // GET_DESCRIPTOR (standard, to interface 0), report descriptor type 0x22, its whole length.
            let length = UInt16(reportDescriptor.count)
            let setup: [UInt8] = [0x81, 0x06, 0x00, 0x22, 0x00, 0x00, UInt8(length & 0xFF), UInt8(length >> 8)]
            record(USBMonURB(type: UInt8(ascii: "S"), transfer: 2, endpoint: 0x80, status: -115, length: reportDescriptor.count, setup: setup), data: [])
            record(USBMonURB(type: UInt8(ascii: "C"), transfer: 2, endpoint: 0x80, status: 0, length: reportDescriptor.count, setup: nil), data: reportDescriptor)
            urbID += 1
        }
        for report in reports {
            record(USBMonURB(type: UInt8(ascii: "S"), transfer: 1, endpoint: 0x81, status: -115, length: transferLength, setup: nil), data: [])  // -EINPROGRESS
            record(USBMonURB(type: UInt8(ascii: "C"), transfer: 1, endpoint: 0x81, status: 0, length: report.count, setup: nil), data: report)
            urbID += 1
        }
        if endsWithUnplug {
            record(USBMonURB(type: UInt8(ascii: "S"), transfer: 1, endpoint: 0x81, status: -115, length: transferLength, setup: nil), data: [])
            record(USBMonURB(type: UInt8(ascii: "C"), transfer: 1, endpoint: 0x81, status: -19, length: 0, setup: nil), data: [])  // -ENODEV
        }
        return bytes
    }

    /// What one usbmon record says of its URB: submit or completion, transfer type (1 interrupt,
    /// 2 control), endpoint, status, URB length, and a control transfer's setup packet.
    struct USBMonURB {
        var type: UInt8
        var transfer: UInt8
        var endpoint: UInt8
        var status: Int32
        var length: Int
        var setup: [UInt8]?
    }

    /// The 64-byte header of Linux usbmon's binary (mmapped) format.
    private func usbmonHeader(_ urb: USBMonURB, id: UInt64, captured: Int, microseconds: Int64) -> [UInt8] {
        var header: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { header += $0 } }
        append(id)
        header += [urb.type, urb.transfer, urb.endpoint, UInt8(deviceNumber)]
        append(UInt16(1))  // bus 1
        // Setup flag 0 when a setup packet follows; data flag 0 when data is captured, '<' when none.
        header += [urb.setup == nil ? UInt8(ascii: "-") : 0, captured > 0 ? 0 : UInt8(ascii: "<")]
        append(Int64(microseconds / 1_000_000)); append(Int32(microseconds % 1_000_000)); append(urb.status)
        append(UInt32(urb.length)); append(UInt32(captured))
        header += urb.setup ?? [UInt8](repeating: 0, count: 8)
        append(Int32(urb.transfer == 1 ? 10 : 0)); append(Int32(0)); append(UInt32(0)); append(UInt32(0))
        return header
    }

    /// Keyboard reports typing `usages` (with Shift where asked), each key released after, then Enter.
    public static func keyboardReports(_ keys: [(usage: UInt8, shift: Bool)]) -> [[UInt8]] {
        (keys + [(0x28, false)]).flatMap { key in
            [[key.shift ? 0x02 : 0, 0, key.usage, 0, 0, 0, 0, 0], [UInt8](repeating: 0, count: 8)]
        }
    }

    /// The US-layout keys for digits, letters and the track punctuation magstripe readers type.
    public static func usKeys(_ text: String) -> [(usage: UInt8, shift: Bool)] {
        let plain = Array("abcdefghijklmnopqrstuvwxyz1234567890")
        let shifted: [Character: (UInt8, Bool)] = ["%": (0x22, true), "^": (0x23, true), "?": (0x38, true), ";": (0x33, false), "=": (0x2E, false), "/": (0x38, false), " ": (0x2C, false)]
        return text.compactMap { character in
            if let special = shifted[character] { return (special.0, special.1) }
            let lower = Character(character.lowercased())
            guard let index = plain.firstIndex(of: lower) else { return nil }
            return (UInt8(0x04 + index), character.isUppercase)
        }
    }
}

/// The test's end of usb_testbed.py's control FIFO: plugs and unplugs emulated readers.
public final class USBTestbedControl: @unchecked Sendable {
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("usb_testbed.py").path
    public let fifoPath: String
    private var writer: FileHandle?

    public init(directory: TemporaryDirectory) throws {
        fifoPath = directory.file("usb-control")
        guard mkfifo(fifoPath, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// The command line prefix that runs the daemon inside the testbed.
    public var launcher: [String] { ["/usr/bin/umockdev-wrapper", "/usr/bin/python3", Self.script, fifoPath, "--"] }

    public static var prerequisites: (ok: Bool, missing: String) {
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-wrapper") { return (false, "umockdev (Debian package umockdev)") }
        if !FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/girepository-1.0/UMockdev-1.0.typelib") {
            return (false, "umockdev's Python API (Debian packages gir1.2-umockdev-1.0 and python3-gi)")
        }
        return (true, "")
    }

    public func plug(device: String, pcap: String) throws { try send("plug \(device) \(pcap)\n") }

    /// Runs a command inside the testbed (so it sees the emulated devices) and returns its output.
    public func run(_ arguments: [String], outputPath: String) throws -> String {
        try send("run \(outputPath) \(arguments.joined(separator: " "))\n")
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: outputPath + ".done"), Date() < deadline { usleep(20_000) }
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }
    /// Unplugs the device plugged in last, or the one on `portPath` (`1-3`).
    public func unplug(portPath: String? = nil) throws { try send("unplug\(portPath.map { " \($0)" } ?? "")\n") }

    private func send(_ command: String) throws {
        if writer == nil { writer = FileHandle(forWritingAtPath: fifoPath) }
        guard let writer else { throw POSIXError(.EPIPE) }
        try writer.write(contentsOf: Data(command.utf8))
    }

    deinit {
        try? writer?.close()
    }
}
