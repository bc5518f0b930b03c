import LoyaltyDomain
import LoyaltyStore

/// The member list's columns, found by name in the header row (any order, any case); columns
/// with other names are ignored. `card` is written as for `--card`; `member_id` (written by
/// `member export`) only groups consecutive rows of one member.
struct MemberCSV {
    static let header = ["name", "phone", "birthday", "card", "group", "member_id"]

    private var positions: [String: Int] = [:]
    let width: Int

    /// Maps the header; a header without `card` and `phone`, or naming a column twice, is refused.
    init(header fields: [String]) throws(MemberCSVError) {
        width = fields.count
        for (position, raw) in fields.enumerated() {
            let name = raw.trimmingSpaces.lowercased()
            guard Self.header.contains(name) else { continue }
            guard positions[name] == nil else { throw .header("the column \(name) appears twice") }
            positions[name] = position
        }
        guard positions["card"] != nil || positions["phone"] != nil else {
            throw .header("the header row needs a card or a phone column (columns: \(Self.header.joined(separator: ", ")); others are ignored)")
        }
    }

    /// A checked row, or why it cannot be imported. Messages name the column, never its value (it
    /// may be personal data).
    func row(_ fields: [String], line: Int, consent: Bool) -> Result<MemberImportRow, MemberCSVError> {
        guard fields.count == width else {
            return .failure(.row("has \(fields.count) field(s), the header has \(width)"))
        }
        func value(_ column: String) -> String? {
            guard let position = positions[column] else { return nil }
            let text = fields[position].trimmingSpaces
            return text.isEmpty ? nil : text
        }
        var card: Carrier?
        if let text = value("card") {
            guard let colon = text.firstIndex(of: ":"), let kind = CarrierKind(rawValue: String(text[..<colon])) else {
                return .failure(.row("card: expected \(CarrierArgument.help)"))
            }
            do {
                card = try Carrier(kind: kind, value: String(text[text.index(after: colon)...]))
            } catch {
                return .failure(.row("card: \(error)"))
            }
        }
        var phone: String?
        if let text = value("phone") {
            if Self.isNormalPhone(text) {
                phone = text
            } else {
                do { phone = try PhoneNumber.normalise(text) } catch { return .failure(.row("phone: \(error)")) }
            }
        }
        let name: String?
        let group: String?
        let groupKey: String?
        do {
            name = try value("name").flatMap { text throws(TextError) in try TextCheck.freeText(text, field: "name") }
            group = try value("group").map { text throws(TextError) in try TextCheck.identifier(text, .group) }
            groupKey = try value("member_id").map { text throws(TextError) in try TextCheck.identifier(text, .memberID) }
        } catch {
            return .failure(.row(error.description))
        }
        let birthday = value("birthday")
        if let birthday, !CalendarDate.isValid(birthday) { return .failure(.row("birthday: expected a date as YYYY-MM-DD")) }
        guard card != nil || phone != nil else { return .failure(.row("give a card or a phone")) }
        if !consent, name != nil || phone != nil || birthday != nil {
            return .failure(.row("name, phone and birthday are stored only with consent: pass --consent if the members on this list agreed"))
        }
        return .success(MemberImportRow(line: line, card: card, name: name, phone: phone, birthday: birthday, group: group, groupKey: groupKey))
    }

    /// A phone as the database and `member export` hold it, `+` and 6 to 15 digits: what
    /// `PhoneNumber.normalise` would return unchanged, recognised without its general work (a
    /// million-row list is mostly such phones).
    static func isNormalPhone(_ text: String) -> Bool {
        let bytes = text.utf8
        return (7...16).contains(bytes.count) && bytes.first == UInt8(ascii: "+")
            && bytes.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// A blank line (one empty field) is skipped, not refused.
    static func isBlank(_ fields: [String]) -> Bool { fields.count == 1 && fields[0].trimmingSpaces.isEmpty }

    /// A row as `member export` writes it.
    static func fields(of row: MemberExportRow) -> [String] {
        [row.name ?? "", row.phone ?? "", row.birthday ?? "", row.card.map(CarrierArgument.text) ?? "", row.group ?? "", row.memberID]
    }
}

/// Why a header or a row of a member list cannot be used.
enum MemberCSVError: Error, CustomStringConvertible {
    case header(String)
    case row(String)

    var description: String {
        switch self {
        case .header(let why), .row(let why): why
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let bytes = utf8
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        // Most fields have nothing to trim.
        guard let first = bytes.first, let last = bytes.last, isSpace(first) || isSpace(last) else { return self }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let end = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
