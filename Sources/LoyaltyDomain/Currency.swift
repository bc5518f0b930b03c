/// The store's currency: its code and how many decimals its minor unit has.
///
/// `Currency` is the only place where money turns into text and back, so that the till
/// protocol, the database and the technician commands all agree on one exact format.
public struct Currency: Sendable, Hashable {
    /// ISO 4217 code, such as `EUR` or `RUB`.
    public var code: String
    /// Decimals of the minor unit: 2 for EUR and RUB, 0 for JPY, 3 for KWD.
    public var minorUnitDigits: Int

    public init(code: String, minorUnitDigits: Int) {
        precondition((0...4).contains(minorUnitDigits), "a currency has 0 to 4 minor unit digits")
        self.code = code
        self.minorUnitDigits = minorUnitDigits
    }

    /// The largest amount `parse` accepts: 10^15 minor units keeps every product with a
    /// percentage (scaled by 10^6) far inside 128-bit arithmetic.
    public static let largestMinorUnits: Int64 = 1_000_000_000_000_000

    /// Parses a plain decimal string (`"1234.50"`, `"7"`, `"-3.10"`) exactly.
    ///
    /// More decimals than the currency has are refused rather than rounded: a till that sends
    /// `"9.999"` in euros has a bug, and guessing would move money.
    public func parse(_ text: String) throws(MoneyFormatError) -> Money {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
              whole.allSatisfy(\.isASCIIDigit)
        else { throw .notADecimal(text) }
        var fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else {
            throw .notADecimal(text)
        }
        guard fraction.count <= minorUnitDigits else {
            throw .tooManyDecimals(text, allowed: minorUnitDigits)
        }
        fraction += String(repeating: "0", count: minorUnitDigits - fraction.count)
        let significant = (whole + fraction).drop(while: { $0 == "0" })
        guard significant.count <= 18, let value = Int64(significant.isEmpty ? "0" : significant),
              value <= Self.largestMinorUnits
        else { throw .outOfRange(text) }
        return Money(minorUnits: negative ? -value : value)
    }

    /// Prints money as the protocol and the reports show it: `"1234.50"`, `"-0.05"`, `"12"`.
    public func format(_ money: Money) -> String {
        let magnitude = money.minorUnits.magnitude
        let sign = money.minorUnits < 0 ? "-" : ""
        guard minorUnitDigits > 0 else { return sign + String(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<minorUnitDigits { scale *= 10 }
        let fraction = String(magnitude % scale)
        let padded = String(repeating: "0", count: minorUnitDigits - fraction.count) + fraction
        return "\(sign)\(magnitude / scale).\(padded)"
    }

    /// One unit of the major currency in minor units (100 for two decimals).
    public var minorUnitsPerMajor: Int64 {
        var scale: Int64 = 1
        for _ in 0..<minorUnitDigits { scale *= 10 }
        return scale
    }
}

/// Why a money string was refused; the message is shown to the till as is.
public enum MoneyFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADecimal(String)
    case tooManyDecimals(String, allowed: Int)
    case outOfRange(String)

    public var description: String {
        switch self {
        case .notADecimal(let text):
            "\"\(text)\" is not a decimal amount (expected digits with an optional '.' and decimals, like \"12.50\")"
        case .tooManyDecimals(let text, let allowed):
            "\"\(text)\" has more than \(allowed) decimals"
        case .outOfRange(let text):
            "\"\(text)\" is out of range"
        }
    }
}

extension Character {
    /// `0` to `9` only: `isNumber` also accepts other scripts' digits and fractions, which a
    /// card number or an amount must never contain.
    public var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
