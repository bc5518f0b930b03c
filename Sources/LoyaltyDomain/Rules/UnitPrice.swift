/// Unit prices of receipt lines, for rules about single items (the cheapest, free units): a line's
/// unit price is what remains of it divided by its quantity, compared exactly by cross-multiplying.
/// Only whole units count as items: a weighed line of 0.450 kg holds no whole unit.
enum UnitPrice {
    enum Order {
        case cheapest
        case mostExpensive
    }

    /// The line with the lowest (or highest) unit price among `indices`; the first on a tie.
    static func pick(_ order: Order, among indices: [Int], of draft: QuoteDraft) -> Int? {
        sorted(indices, order, of: draft).first
    }

    /// `indices` ordered by unit price, stable (receipt order on a tie).
    static func sorted(_ indices: [Int], _ order: Order, of draft: QuoteDraft) -> [Int] {
        indices.enumerated().sorted { left, right in
            let a = draft.lines[left.element]
            let b = draft.lines[right.element]
            // a.remaining / a.quantity against b.remaining / b.quantity, without dividing.
            let lhs = Int128(a.remaining.minorUnits) * Int128(max(b.quantity.millionths, 1))
            let rhs = Int128(b.remaining.minorUnits) * Int128(max(a.quantity.millionths, 1))
            if lhs != rhs { return order == .cheapest ? lhs < rhs : lhs > rhs }
            return left.offset < right.offset
        }.map(\.element)
    }

    /// Whole units on a line (a quantity of 2.5 holds 2).
    static func wholeUnits(_ line: QuoteDraft.Line) -> Int64 {
        max(0, line.quantity.millionths / Percentage.scale)
    }

    /// What `units` units of a line are worth of what remains of it, rounded by `rounding`; a line
    /// of one unit or less is worth all that remains of it.
    static func value(of units: Int64, on line: QuoteDraft.Line, rounding: RoundingMode) -> Money {
        guard line.quantity.millionths > Percentage.scale else { return units > 0 ? line.remaining : .zero }
        let worth = rounding.divide(
            Int128(line.remaining.minorUnits) * Int128(units) * Int128(Percentage.scale), by: Int128(line.quantity.millionths))
        return min(line.remaining, Money(minorUnits: Int64(worth)))
    }

    static func valueOfOneUnit(_ line: QuoteDraft.Line, rounding: RoundingMode) -> Money {
        value(of: 1, on: line, rounding: rounding)
    }
}
