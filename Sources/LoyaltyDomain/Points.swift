/// A number of loyalty points. Points are whole: every conversion from money to points
/// rounds by the program's named rule, and the ledger holds only integers.
public struct Points: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) {
        self.value = value
    }

    public static let zero = Points(0)

    public static func < (lhs: Points, rhs: Points) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Points, rhs: Points) -> Points { Points(lhs.value + rhs.value) }
    public static func - (lhs: Points, rhs: Points) -> Points { Points(lhs.value - rhs.value) }
    public static prefix func - (points: Points) -> Points { Points(-points.value) }
    public static func += (lhs: inout Points, rhs: Points) { lhs.value += rhs.value }

    public var description: String { String(value) }
}
