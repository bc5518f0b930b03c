/// A refund as the till asks for it: an amount, receipt lines, or (neither) all that remains.
///
/// A line may also name a catalogue reward taken with the purchase (its SKU, without an amount):
/// that returns the gift, and with it the points it cost.
public struct RefundScope: Sendable, Hashable {
    public var amount: Money?
    /// Lines by SKU, each with an amount (`nil`: what remains of the line, or the whole reward).
    public var lines: [(sku: String, amount: Money?)]

    public init(amount: Money? = nil, lines: [(sku: String, amount: Money?)] = []) {
        self.amount = amount
        self.lines = lines
    }

    /// A refund of everything that remains of the purchase: its money and the rewards not yet returned.
    public var isWhole: Bool { amount == nil && lines.isEmpty }

    public static func == (lhs: RefundScope, rhs: RefundScope) -> Bool {
        lhs.amount == rhs.amount && lhs.lines.map(\.sku) == rhs.lines.map(\.sku) && lhs.lines.map(\.amount) == rhs.lines.map(\.amount)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(amount)
        for line in lines { hasher.combine(line.sku); hasher.combine(line.amount) }
    }
}
