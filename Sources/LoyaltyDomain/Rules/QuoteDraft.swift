/// The quote while rules are being applied, line by line so that exclusions, product rules and
/// refunds by line all see exactly what each line got.
public struct QuoteDraft: Sendable {
    public struct Line: Sendable {
        public var sku: String
        public var category: String?
        public var quantity: Quantity
        public var amount: Money
        public var discount: Money = .zero
        /// The part of the line paid with points, in money.
        public var pointsPayment: Money = .zero
        public var pointsEarned: Points = .zero
        public var excludedFrom: Set<ExclusionScope>

        /// What is still to be paid in money for this line.
        public var remaining: Money { amount - discount - pointsPayment }
    }

    public var total: Money
    public var lines: [Line]
    /// Whether the till sent receipt lines (otherwise `lines` is one line of the whole total).
    public var hasReceiptLines: Bool
    /// The most the discounts may take off the whole receipt.
    public var discountCap: Money
    public var pointsRedeemed: Points = .zero
    public var couponApplied: Coupon?
    public var applied: [AppliedRule] = []

    init(request: PurchaseRequest, exclusions: [LineExclusion], discountCap: Money) {
        total = request.total
        hasReceiptLines = !request.lines.isEmpty
        let receipt = hasReceiptLines
            ? request.lines
            : [ReceiptLine(sku: "", category: nil, quantity: "1", amount: request.total)]
        lines = receipt.map { line in
            var excluded = Set<ExclusionScope>()
            if !request.lines.isEmpty {
                for exclusion in exclusions where exclusion.lines.matches(sku: line.sku, category: line.category) {
                    excluded.formUnion(exclusion.scopes)
                }
            }
            return Line(
                sku: line.sku, category: line.category, quantity: (try? Quantity(parsing: line.quantity)) ?? .one,
                amount: line.amount, excludedFrom: excluded)
        }
        self.discountCap = discountCap
    }

    public var discount: Money { lines.reduce(.zero) { $0 + $1.discount } }
    public var redeemedValue: Money { lines.reduce(.zero) { $0 + $1.pointsPayment } }
    public var pointsEarned: Points { lines.reduce(.zero) { $0 + $1.pointsEarned } }
    /// The receipt amount, before discounts, of the lines that may earn: what coupon thresholds measure.
    public var earningAmount: Money {
        lines.filter { !$0.excludedFrom.contains(.earning) }.reduce(.zero) { $0 + $1.amount }
    }
    /// What is still to be paid in money at this point of the computation.
    public var payable: Money { total - discount - redeemedValue }

    /// Lines a rule may act on: matching its selector and not excluded from `scope`.
    func eligible(_ selector: LineSelector, notExcludedFrom scope: ExclusionScope) -> [Int] {
        lines.indices.filter { index in
            let line = lines[index]
            return !line.excludedFrom.contains(scope)
                && (selector.isAll || (hasReceiptLines && selector.matches(sku: line.sku, category: line.category)))
        }
    }

    func remaining(of indices: [Int]) -> Money {
        indices.reduce(.zero) { $0 + lines[$1].remaining }
    }

    /// Takes `amount` off the given lines in proportion to what remains of each.
    mutating func addDiscount(_ amount: Money, over indices: [Int]) {
        let shares = Allocation.split(amount.minorUnits, weights: indices.map { lines[$0].remaining.minorUnits })
        for (index, share) in zip(indices, shares) { lines[index].discount += Money(minorUnits: share) }
    }

    /// What ``takeOff(_:over:weights:maximum:)`` gave, and a note when a cap cut it.
    struct Given {
        var amount: Money
        var note: String
    }

    /// Takes `wanted` off the given lines, cut to the rule's `maximum` and to what the program's cap
    /// on discounts still allows, and spread over the lines in proportion to `weights` (largest
    /// remainder, never more than what remains of a line).
    mutating func takeOff(_ wanted: Money, over indices: [Int], weights: [Int64], maximum: Money?) -> Given {
        let limit = min(wanted, remaining(of: indices))
        let ruleCapped = maximum.map { min(limit, $0) } ?? limit
        let given = max(.zero, min(ruleCapped, discountCap - discount))
        var shares = Allocation.split(given.minorUnits, weights: weights)
        // A share above what remains of its line (possible with weights other than what remains)
        // moves on to lines that still have room, in order.
        var overflow: Int64 = 0
        for (position, index) in indices.enumerated() {
            let room = lines[index].remaining.minorUnits
            if shares[position] > room {
                overflow += shares[position] - room
                shares[position] = room
            }
        }
        for (position, index) in indices.enumerated() where overflow > 0 {
            let room = lines[index].remaining.minorUnits - shares[position]
            let moved = min(room, overflow)
            shares[position] += moved
            overflow -= moved
        }
        for (index, share) in zip(indices, shares) { lines[index].discount += Money(minorUnits: share) }
        let note = given < limit
            ? (ruleCapped < limit && given == ruleCapped ? ", cut to the rule's max_amount" : ", cut to the program's cap on discounts")
            : ""
        return Given(amount: given, note: note)
    }

    mutating func addPointsPayment(_ amount: Money, over indices: [Int]) {
        let shares = Allocation.split(amount.minorUnits, weights: indices.map { lines[$0].remaining.minorUnits })
        for (index, share) in zip(indices, shares) { lines[index].pointsPayment += Money(minorUnits: share) }
    }

    /// Credits `points` to the given lines in proportion to `weights`.
    mutating func addPoints(_ points: Points, over indices: [Int], weights: [Int64]) {
        let shares = Allocation.split(points.value, weights: weights)
        for (index, share) in zip(indices, shares) { lines[index].pointsEarned += Points(share) }
    }
}

/// Splits an integer amount into integer parts proportional to weights, exactly (largest
/// remainder, ties to the earlier part), so the parts always add up to the whole.
public enum Allocation {
    public static func split(_ amount: Int64, weights: [Int64]) -> [Int64] {
        precondition(amount >= 0, "only non-negative amounts are split")
        guard !weights.isEmpty else { return [] }
        let totalWeight = weights.reduce(Int128(0)) { $0 + Int128(max($1, 0)) }
        var parts = Array(repeating: Int64(0), count: weights.count)
        guard totalWeight > 0 else {
            parts[0] = amount
            return parts
        }
        var remainders: [(remainder: Int128, index: Int)] = []
        var left = amount
        for (index, weight) in weights.enumerated() {
            let exact = Int128(amount) * Int128(max(weight, 0))
            parts[index] = Int64(exact / totalWeight)
            remainders.append((exact % totalWeight, index))
            left -= parts[index]
        }
        let order = remainders.sorted { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        for step in 0..<Int(left) { parts[order[step].index] += 1 }
        return parts
    }
}
