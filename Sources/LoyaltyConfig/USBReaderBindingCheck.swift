import CardDecoding

/// The checks that make every `readers.usb` entry bind to its own device: an entry that can never
/// match a device, or that could match the same device as an earlier entry (which would then win
/// and leave this one without a reader), is refused with its key.
enum USBReaderBindingCheck {
    static func check(_ reader: USBReaderSpec, at path: [String], against earlier: [USBReaderSpec]) throws(ConfigProblem) {
        if reader.vendorID == 0 { throw ConfigProblem(path + ["vendor_id"], "0000 is no device's vendor id: this entry can never match") }
        if let serial = reader.serialNumber, !USBReaderSpec.isValidSerialNumber(serial) {
            throw ConfigProblem(path + ["serial"], "\"\(serial)\" can never match: a serial number is 1 to 126 printable characters, as `loyaltyd readers` prints it")
        }
        if let serial = reader.serialNumber, let special = serial.first(where: { "\"\\*?[]|".contains($0) }) {
            throw ConfigProblem(path + ["serial"], "\"\(serial)\" holds \(special), which a udev rule cannot match exactly: bind this reader by port instead")
        }
        if let port = reader.portPath, !USBReaderSpec.isValidPortPath(port) {
            throw ConfigProblem(path + ["port"], "\"\(port)\" can never match: a port is BUS-PORT[.PORT…] with numbers 1 to 255, like \"1-1.2\", as `loyaltyd readers` prints it")
        }
        if let name = earlier.first(where: { $0.name == reader.name })?.name {
            throw ConfigProblem(path + ["name"], "\"\(name)\" is already the name of another USB reader")
        }
        guard let other = earlier.firstIndex(where: { $0.couldMatchTheSameDevice(as: reader) }) else { return }
        let key = reader.serialNumber == nil && reader.portPath == nil ? "product_id" : (reader.serialNumber != nil ? "serial" : "port")
        throw ConfigProblem(path + [key], """
            could match the same device as readers.usb[\(other)] ("\(earlier[other].name)", \(earlier[other].deviceDescription)), \
            which would take it: give each identical reader its own serial or port (`loyaltyd readers` prints both)
            """)
    }
}
