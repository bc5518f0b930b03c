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
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCIIDigit),
              parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy(\.isASCIIDigit))
        else { throw .notADecimal(text) }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= 6 else { throw .tooPrecise(text) }
        guard parts[0].count <= 4, let whole = Int64(parts[0]) else { throw .outOfRange(text) }
        let padded = fraction + String(repeating: "0", count: 6 - fraction.count)
        let value = whole * Self.scale + (Int64(padded) ?? 0)
        guard value <= 100 * Self.scale else { throw .outOfRange(text) }
        self.millionths = value
    }

    /// `percentage` of `minorUnits`, rounded by `rounding`.
    public func of(_ amount: Money, rounding: RoundingMode) -> Money {
        let product = Int128(amount.minorUnits) * Int128(millionths)
        return Money(minorUnits: Int64(rounding.divide(product, by: 100 * Int128(Self.scale))))
    }

    public var isZero: Bool { millionths == 0 }

    /// The shortest decimal text that parses back to the same value (`"3.5"`).
    public var description: String {
        let whole = millionths / Self.scale
        var fraction = String(millionths % Self.scale)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}

/// Why a percentage in the configuration was refused.
public enum PercentageFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADecimal(String)
    case tooPrecise(String)
    case outOfRange(String)

    public var description: String {
        switch self {
        case .notADecimal(let text): "\"\(text)\" is not a decimal percentage like \"5\" or \"3.5\""
        case .tooPrecise(let text): "\"\(text)\" has more than 6 decimals"
        case .outOfRange(let text): "\"\(text)\" is not between 0 and 100"
        }
    }
}

extension Percentage {
    /// Whether `text` is a plain non-negative decimal (`"2"`, `"0.450"`), as receipt quantities are.
    public static func isPlainDecimal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }
}
