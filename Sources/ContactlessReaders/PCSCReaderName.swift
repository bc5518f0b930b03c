/// How pcsc-lite names a reader, read back: for a USB reader found by its libudev hotplug it is
/// `<Info.plist name>[ [<interface string>]][ (<serial number>)] <reader index> <slot index>`, each
/// index two uppercase hex digits, such as `ACS ACR1252 1S CL Reader [ACR1252 Reader] (1234ABCD) 00 00`.
/// The serial is left out when the device has none or when the interface string already holds it,
/// and the name is cut to 121 characters before the indexes (then its `)` is lost too).
public enum PCSCReaderName {
    /// The serial number in a pcsc-lite reader name, or `nil` when the name carries none.
    ///
    /// A driver whose own reader name ends in parentheses would be read as a serial: where the
    /// driver answers `SCARD_ATTR_VENDOR_IFD_SERIAL_NO` that answer is used instead.
    public static func serialNumber(in name: String) -> String? {
        guard let base = withoutIndexes(name), base.hasSuffix(")"), let open = base.range(of: " (", options: .backwards) else { return nil }
        let serial = base[open.upperBound..<base.index(before: base.endIndex)]
        guard !serial.isEmpty, !serial.contains("("), !serial.contains(")"), serial.first != " ", serial.last != " " else { return nil }
        return String(serial)
    }

    /// `name` without its trailing ` XX YY` (reader and slot index), or `nil` when it has none.
    static func withoutIndexes(_ name: String) -> Substring? {
        let scalars = Array(name.unicodeScalars.suffix(6))
        let hex = Set("0123456789ABCDEF".unicodeScalars)
        guard scalars.count == 6, scalars[0] == " ", scalars[3] == " ",
              [1, 2, 4, 5].allSatisfy({ hex.contains(scalars[$0]) })
        else { return nil }
        return name.dropLast(6)
    }
}
