/// An exact percentage such as `5`, `3.5` or `0.25`, parsed from the configuration's decimal text.
public struct Percentage: Sendable, Hashable, CustomStringConvertible {
    /// The percentage times 10^6 (`3.5` % is 3_500_000): six decimals are plenty for any program.
    public let millionths: Int64

    public static let scale: Int64 = 1_000_000

    public init(millionths: Int64) {
        self.millionths = millionths
    }

    /// Parses `"5"`, `"3.5"`, `"12.125"`; refuses negatives, more than six decimals and more than 100 %.
    public init(parsing text: String) throws(PercentageFormatError) {
        millionths = try ScaledDecimal.parse(text, maximumWhole: 100)
    }

    /// `percentage` of `minorUnits`, rounded by `rounding`.
    public func of(_ amount: Money, rounding: RoundingMode) -> Money {
        let product = Int128(amount.minorUnits) * Int128(millionths)
        return Money(minorUnits: Int64(rounding.divide(product, by: 100 * Int128(Self.scale))))
    }

    public var isZero: Bool { millionths == 0 }

    /// The shortest decimal text that parses back to the same value (`"3.5"`).
    public var description: String { ScaledDecimal.text(millionths) }
}

/// Why a percentage in the configuration was refused.
public enum PercentageFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADecimal(String)
    case tooPrecise(String)
    case outOfRange(String, maximum: Int64)

    public var description: String {
        switch self {
        case .notADecimal(let text): "\"\(text)\" is not a decimal percentage like \"5\" or \"3.5\""
        case .tooPrecise(let text): "\"\(text)\" has more than 6 decimals"
        case .outOfRange(let text, let maximum): "\"\(text)\" is not between 0 and \(maximum)"
        }
    }
}

/// Non-negative decimal text with up to six decimals, held as millionths: percentages,
/// multipliers and receipt quantities, all parsed the same exact way.
enum ScaledDecimal {
    static func parse(_ text: String, maximumWhole: Int64) throws(PercentageFormatError) -> Int64 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCIIDigit),
              parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy(\.isASCIIDigit))
        else { throw .notADecimal(text) }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= 6 else { throw .tooPrecise(text) }
        guard parts[0].count <= 9, let whole = Int64(parts[0]) else { throw .outOfRange(text, maximum: maximumWhole) }
        let padded = fraction + String(repeating: "0", count: 6 - fraction.count)
        let value = whole * Percentage.scale + (Int64(padded) ?? 0)
        guard value <= maximumWhole * Percentage.scale else { throw .outOfRange(text, maximum: maximumWhole) }
        return value
    }

    /// The shortest decimal text for `millionths`.
    static func text(_ millionths: Int64) -> String {
        let whole = millionths / Percentage.scale
        var fraction = String(millionths % Percentage.scale)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}

/// A factor such as `2` or `1.5` (at most 1000), for points multipliers.
public struct Multiplier: Sendable, Hashable, CustomStringConvertible {
    public let millionths: Int64

    public init(parsing text: String) throws(PercentageFormatError) {
        millionths = try ScaledDecimal.parse(text, maximumWhole: 1_000)
    }

    public var description: String { ScaledDecimal.text(millionths) }
}

/// A receipt line's quantity (`"2"`, `"0.450"` kg) as millionths of a unit.
public struct Quantity: Sendable, Hashable, CustomStringConvertible {
    public let millionths: Int64

    public static let one = Quantity(millionths: Percentage.scale)

    public init(millionths: Int64) {
        self.millionths = millionths
    }

    public init(parsing text: String) throws(PercentageFormatError) {
        millionths = try ScaledDecimal.parse(text, maximumWhole: 1_000_000)
    }

    public var description: String { ScaledDecimal.text(millionths) }
}
