/// Which character a keyboard-wedge reader's key press means: HID usage and modifiers in,
/// character out. Layouts are data (Layouts/*.layout, one line per key), so a missing layout is
/// a text file to add, not code to write. Set the layout the scanner itself is configured for.
public struct KeyboardLayout: Sendable, Hashable {
    /// The layout's name in the configuration: one of ``names``.
    public let name: String
    private let keys: [UInt8: Key]

    struct Key: Sendable, Hashable {
        var plain: Character
        var shifted: Character
        var altGr: Character?

        /// Letter keys, whose Shift form is their uppercase, follow Caps Lock.
        var followsCapsLock: Bool { plain.isLetter && String(plain).uppercased() == String(shifted) }
    }

    /// The character for `usage` with the given modifiers, or `nil` for a key the layout lacks.
    public func character(usage: UInt8, shift: Bool, capsLock: Bool, altGr: Bool) -> Character? {
        guard let key = keys[usage] else { return nil }
        if altGr { return key.altGr }
        let upper = key.followsCapsLock ? shift != capsLock : shift
        return upper ? key.shifted : key.plain
    }

    /// Reads a layout file: `USAGE PLAIN SHIFTED [ALTGR]`, `#` comments, `space` for a space.
    public init(name: String, text: String) throws(LayoutError) {
        self.name = name
        var keys: [UInt8: Key] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingPrefix(while: { $0 == " " })
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let fields = trimmed.split(separator: " ").map { $0 == "space" ? " " : String($0) }
            guard (3...4).contains(fields.count), let usage = UInt8(fields[0], radix: 16),
                  fields[1...].allSatisfy({ $0.count == 1 })
            else { throw LayoutError(layout: name, line: number + 1) }
            keys[usage] = Key(plain: Character(fields[1]), shifted: Character(fields[2]), altGr: fields.count == 4 ? Character(fields[3]) : nil)
        }
        self.keys = keys
    }

    /// The layouts shipped with the daemon, by name.
    public static func named(_ name: String) -> KeyboardLayout? {
        builtIn[name]
    }

    /// Swedish and Finnish keyboards agree on every key a reader types, so `se` and `fi` are one file.
    public static let names = ["us", "de", "fr", "ru", "uk", "es", "it", "ch-de", "ch-fr", "se", "fi", "pl"]

    private static let builtIn: [String: KeyboardLayout] = {
        let sources: [(String, [UInt8])] = [
            ("us", PackageResources.us_layout), ("de", PackageResources.de_layout),
            ("fr", PackageResources.fr_layout), ("ru", PackageResources.ru_layout),
            ("uk", PackageResources.uk_layout), ("es", PackageResources.es_layout), ("it", PackageResources.it_layout),
            ("ch-de", PackageResources.ch_de_layout), ("ch-fr", PackageResources.ch_fr_layout),
            ("se", PackageResources.se_fi_layout), ("fi", PackageResources.se_fi_layout), ("pl", PackageResources.pl_layout),
        ]
        var layouts: [String: KeyboardLayout] = [:]
        for (name, bytes) in sources {
            // The shipped files are checked by the tests; a broken one would fail them.
            layouts[name] = try? KeyboardLayout(name: name, text: String(decoding: bytes, as: UTF8.self))
        }
        return layouts
    }()
}

/// A layout file line that could not be read.
public struct LayoutError: Error, Sendable, Equatable, CustomStringConvertible {
    public var layout: String
    public var line: Int

    public init(layout: String, line: Int) {
        self.layout = layout
        self.line = line
    }

    public var description: String { "keyboard layout \(layout), line \(line): expected USAGE PLAIN SHIFTED [ALTGR]" }
}
