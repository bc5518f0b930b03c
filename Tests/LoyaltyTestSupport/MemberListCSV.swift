import Foundation

/// Generated member lists in the CSV format `loyaltyd member import` reads, for tests and the
/// benchmark. Member `n` has the name `Member n`, the phone `+4917` and `n` in 9 digits, a
/// birthday, the card `uid:05` + `n` in 12 hex digits, and every tenth one the group `staff`.
public enum MemberListCSV {
    public static let header = "name,phone,birthday,card,group"

    /// Member `n`'s card, as the file writes it.
    public static func card(_ number: Int) -> String { "uid:05" + hex(number, digits: 12) }

    /// Member `n`'s phone, normalised.
    public static func phone(_ number: Int) -> String {
        let digits = String(number)
        return "+4917" + String(repeating: "0", count: max(0, 9 - digits.count)) + digits
    }

    /// Member `n`'s row (CRLF is added by ``write(to:members:)``).
    public static func row(_ number: Int) -> String {
        let birthday = "19\(50 + number % 50)-\(month(number))-\(day(number))"
        return "Member \(number),\(phone(number)),\(birthday),\(card(number)),\(number % 10 == 0 ? "staff" : "")"
    }

    /// Writes the header and members `members` (for example `1...1_000_000`), streaming.
    public static func write(to path: String, members: ClosedRange<Int>) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw POSIXError(.EIO) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var chunk = header + "\r\n"
        for number in members {
            chunk += row(number)
            chunk += "\r\n"
            if chunk.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
    }

    private static func month(_ number: Int) -> String { let value = 1 + number % 12; return value < 10 ? "0\(value)" : "\(value)" }
    private static func day(_ number: Int) -> String { let value = 1 + number % 28; return value < 10 ? "0\(value)" : "\(value)" }

    private static func hex(_ number: Int, digits: Int) -> String {
        let text = String(number, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
