import LoyaltyDomain

/// Which plugged-in device a configured USB reader is. Identical readers (same vendor and product)
/// on several lanes are told apart by their serial number or by the port they are plugged into,
/// so each lane keeps its reader whatever the plug order.
extension USBReaderSpec {
    /// What identifies a device on the bus for binding.
    public struct DeviceIdentity: Sendable, Hashable {
        public var vendorID: UInt16
        public var productID: UInt16
        /// The device's serial number string, when it has one.
        public var serialNumber: String?
        /// `BUS-PORT[.PORT…]`, such as `1-1.2`.
        public var portPath: String

        public init(vendorID: UInt16, productID: UInt16, serialNumber: String?, portPath: String) {
            self.vendorID = vendorID
            self.productID = productID
            self.serialNumber = serialNumber
            self.portPath = portPath
        }
    }

    /// Whether `device` is this reader: the same vendor and product, and the serial number and
    /// port where the configuration names them.
    public func matches(_ device: DeviceIdentity) -> Bool {
        device.vendorID == vendorID && device.productID == productID
            && serialNumber.map { $0 == device.serialNumber } ?? true
            && portPath.map { $0 == device.portPath } ?? true
    }

    /// Whether one device could match both readers: the same vendor and product, and neither the
    /// serial numbers nor the ports tell them apart.
    public func couldMatchTheSameDevice(as other: USBReaderSpec) -> Bool {
        vendorID == other.vendorID && productID == other.productID
            && Self.couldBeTheSameValue(serialNumber, other.serialNumber) && Self.couldBeTheSameValue(portPath, other.portPath)
    }

    /// Whether two entries' serial numbers (or ports) leave room for one device: either entry
    /// accepts any (`nil`), or both name the same. Shared with the PC/SC lanes' check.
    public static func couldBeTheSameValue(_ mine: String?, _ theirs: String?) -> Bool {
        guard let mine, let theirs else { return true }
        return mine == theirs
    }

    /// `vvvv:pppp` with the serial number and port where configured, for logs and listings.
    public var deviceDescription: String {
        var text = String(vendorID, radix: 16).leftPadded(to: 4) + ":" + String(productID, radix: 16).leftPadded(to: 4)
        if let serialNumber { text += " serial \"\(serialNumber)\"" }
        if let portPath { text += " port \(portPath)" }
        return text
    }

    /// Whether `text` is a port path a device can have: a bus number, `-`, then one to seven hub
    /// port numbers joined by `.` (USB allows seven tiers), each 1 to 255.
    public static func isValidPortPath(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let bus = Int(parts[0]), (1...255).contains(bus), parts[0].allSatisfy(\.isASCIIDigit) else { return false }
        let ports = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return (1...7).contains(ports.count)
            && ports.allSatisfy { port in port.allSatisfy(\.isASCIIDigit) && Int(port).map { (1...255).contains($0) } == true && port.first != "0" }
    }

    /// Whether `text` can be a USB serial number: 1 to 126 printable characters (a string
    /// descriptor holds at most 126 UTF-16 units), no leading or trailing space.
    public static func isValidSerialNumber(_ text: String) -> Bool {
        (1...126).contains(text.utf16.count) && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
            && text.first != " " && text.last != " "
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
