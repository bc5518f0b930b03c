import CardDecoding

/// The checks that make every `readers.contactless.readers` entry bind to readers of its own, as
/// ``USBReaderBindingCheck`` does for USB: an entry that can never match a reader, or that could
/// match a reader an earlier entry takes (first match wins, so this one would lose it), is refused.
enum ContactlessLaneBindingCheck {
    /// What every reader name pcsc-lite gives looks like: anything, then ` XX YY`, the reader and
    /// slot index in uppercase hex.
    static let pcscReaderName: NamePattern = {
        let hex = NamePattern.Element.one(.init(negated: false, ranges: [0x30...0x39, 0x41...0x46]))
        let space = NamePattern.Element.one(.only(" "))
        return NamePattern(elements: [.anyRun, space, hex, hex, space, hex, hex])
    }()

    static func check(_ lane: LoyaltyConfiguration.Lane, at path: [String], against earlier: [LoyaltyConfiguration.Lane]) throws(ConfigProblem) {
        let pattern = NamePattern(lane.pattern)
        guard pattern.couldMatchTheSameName(as: pcscReaderName) else {
            throw ConfigProblem(path + ["name"], """
                "\(lane.pattern)" can never match: pcscd's reader names end in the reader and slot index, like \
                "ACS ACR122U PICC Interface 00 00"; end the pattern with * (`loyaltyd readers` prints the names)
                """)
        }
        if let serial = lane.serialNumber, !USBReaderSpec.isValidSerialNumber(serial) {
            throw ConfigProblem(path + ["serial"], "\"\(serial)\" can never match: a serial number is 1 to 126 printable characters, as `loyaltyd readers` prints it")
        }
        if let port = lane.portPath, !USBReaderSpec.isValidPortPath(port) {
            throw ConfigProblem(path + ["port"], "\"\(port)\" can never match: a port is BUS-PORT[.PORT…] with numbers 1 to 255, like \"1-1.2\", as `loyaltyd readers` prints it")
        }
        guard let other = earlier.firstIndex(where: { earlier in
            USBReaderSpec.couldBeTheSameValue(earlier.serialNumber, lane.serialNumber)
                && USBReaderSpec.couldBeTheSameValue(earlier.portPath, lane.portPath)
                && NamePattern(earlier.pattern).couldMatchTheSameName(as: pattern)
        }) else { return }
        let key = lane.serialNumber != nil ? "serial" : (lane.portPath != nil ? "port" : "name")
        throw ConfigProblem(path + [key], """
            could match the same reader as readers.contactless.readers[\(other)] (\(describe(earlier[other]))), which would \
            take it: give each identical reader its own serial or port (`loyaltyd readers` prints both), or names that cannot overlap
            """)
    }

    private static func describe(_ lane: LoyaltyConfiguration.Lane) -> String {
        var parts = ["name \"\(lane.pattern)\""]
        if let serial = lane.serialNumber { parts.append("serial \"\(serial)\"") }
        if let port = lane.portPath { parts.append("port \(port)") }
        return parts.joined(separator: ", ")
    }
}
