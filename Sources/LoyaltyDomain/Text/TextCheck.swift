/// The one check of text that comes from outside, used by every door (till, readers, technician
/// commands, member import, chain sync), so that what is stored is exactly what was accepted.
///
/// SQLite and C strings end at a NUL, and terminals obey escape sequences: a control character in an
/// identifier could make two different keys one, or rewrite a technician's screen. Text is therefore
/// refused, never cleaned or shortened: a refusal says which field and why, and nothing is stored.
public enum TextCheck {
    /// Returns `text` unchanged when it is a valid identifier for `field`: not empty, no control
    /// character (C0, DEL, C1, or a Unicode line or paragraph separator) and at most
    /// ``IdentifierField/maximumBytes`` UTF-8 bytes.
    public static func identifier(_ text: String, _ field: IdentifierField) throws(TextError) -> String {
        guard !text.isEmpty else { throw TextError(field: field.rawValue, problem: .empty) }
        try check(text, field: field.rawValue, maximumBytes: field.maximumBytes)
        return text
    }

    /// Free text such as a member's name: any printable text up to `maximumBytes`, no control
    /// character. An empty name is no name: returns `nil` for `""`.
    public static func freeText(_ text: String, field: String, maximumBytes: Int = 200) throws(TextError) -> String? {
        guard !text.isEmpty else { return nil }
        try check(text, field: field, maximumBytes: maximumBytes)
        return text
    }

    /// Whether a Unicode scalar is a control character no stored text may hold.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }

    private static func check(_ text: String, field: String, maximumBytes: Int) throws(TextError) {
        if let control = text.unicodeScalars.first(where: isControl) {
            throw TextError(field: field, problem: .controlCharacter(control.value))
        }
        let bytes = text.utf8.count
        guard bytes <= maximumBytes else { throw TextError(field: field, problem: .tooLong(bytes: bytes, maximum: maximumBytes)) }
    }
}

/// Text refused by ``TextCheck``: the field, and what is wrong with it (never the text itself,
/// which may be a stray card number or escape sequence).
public struct TextError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        case empty
        case controlCharacter(UInt32)
        case tooLong(bytes: Int, maximum: Int)
    }

    public var field: String
    public var problem: Problem

    public init(field: String, problem: Problem) {
        self.field = field
        self.problem = problem
    }

    /// `till_id: holds the control character U+0000; identifiers are printable text` and the like.
    public var description: String {
        switch problem {
        case .empty:
            "\(field) must not be empty"
        case .controlCharacter(let value):
            "\(field): holds the control character U+\(Self.hex(value)); only printable text is accepted"
        case .tooLong(let bytes, let maximum):
            "\(field): \(bytes) bytes, longer than the maximum of \(maximum) bytes"
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
