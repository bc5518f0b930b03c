import ArgumentParser
import LoyaltyDomain

/// The parts of a phone or a card `member find` looks for, checked without echoing the value (a
/// bank card's number is refused by its last four digits, as every door refuses it).
enum SearchPart {
    /// The digits to find in a phone: separators and a leading `+` or zeros (a trunk or
    /// international prefix, written differently from one number to the next) are dropped, so
    /// "0151 2345" finds both +4915123456789 and 015123456789.
    static func phoneDigits(_ text: String, option: String = "--phone") throws(ValidationError) -> String {
        var digits = text.filter { !" -.()/\t".contains($0) }
        if digits.hasPrefix("+") { digits.removeFirst() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else {
            throw ValidationError("\(option): expected digits of a phone number, such as 2345 or +49 151")
        }
        digits = String(digits.drop { $0 == "0" })
        guard digits.count >= 3 else { throw ValidationError("\(option): give at least 3 digits (leading zeros and + not counted)") }
        return digits
    }

    /// What to look for in each kind of card: `kind:part` looks at that kind only, a bare part at
    /// every kind it can be part of (a UID as hex without separators, a phone as digits, a track or
    /// barcode as typed).
    static func card(_ text: String) throws(ValidationError) -> [CarrierKind: String] {
        var kinds = CarrierKind.allCases
        var part = text
        if let colon = text.firstIndex(of: ":"), let kind = CarrierKind(rawValue: String(text[..<colon])) {
            kinds = [kind]
            part = String(text[text.index(after: colon)...])
        }
        if let lastFour = MagneticTrack.paymentCardLastFour(inTypedText: part) {
            throw ValidationError("--card: \(CarrierError.bankCard(lastFour: lastFour))")
        }
        guard (1...Carrier.maximumLength).contains(part.utf8.count), part.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F })
        else { throw ValidationError("--card: expected a part of a card, 1 to \(Carrier.maximumLength) printable ASCII characters (\(CarrierArgument.help))") }
        var parts: [CarrierKind: String] = [:]
        for kind in kinds {
            switch kind {
            case .uid:
                let hex = part.filter { $0 != ":" && $0 != " " && $0 != "-" }.uppercased()
                if !hex.isEmpty, hex.allSatisfy({ $0.isASCII && $0.isHexDigit }) { parts[.uid] = hex }
            case .phone:
                if let digits = try? phoneDigits(part, option: "--card") { parts[.phone] = digits }
            case .track, .barcode:
                parts[kind] = part
            }
        }
        guard !parts.isEmpty else { throw ValidationError("--card: no \(kinds.map(\.rawValue).joined()) card can contain that (\(CarrierArgument.help))") }
        return parts
    }
}
