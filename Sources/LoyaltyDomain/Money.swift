/// An exact amount of money in the minor unit of the configured currency (cents, kopecks).
///
/// Money never passes through binary floating point: it is parsed from and printed as a
/// decimal string by ``Currency``, and all arithmetic is on integers.
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The amount in minor units (for a currency with two decimals, `12.50` is `1250`).
    public var minorUnits: Int64

    public init(minorUnits: Int64) {
        self.minorUnits = minorUnits
    }

    public static let zero = Money(minorUnits: 0)

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits + rhs.minorUnits) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits - rhs.minorUnits) }
    public static func += (lhs: inout Money, rhs: Money) { lhs.minorUnits += rhs.minorUnits }
    public static func -= (lhs: inout Money, rhs: Money) { lhs.minorUnits -= rhs.minorUnits }

    public var isNegative: Bool { minorUnits < 0 }

    public var description: String { "\(minorUnits) minor units" }
}
