/// A percentage off the receipt (or off some of its lines, or off one unit of the cheapest or
/// dearest of them): fixed, by tier, or progressive by accumulated spend. Each discount applies to
/// what earlier discounts left, within its own cap in money (`max_amount`) and the program's cap
/// on the total discount.
public struct DiscountRule: PricingRule {
    public static let type = "discount"

    /// What the percentage is taken of.
    public enum Target: String, Sendable, Hashable, CaseIterable {
        /// Every selected line.
        case lines
        /// One unit of the selected item with the lowest unit price (the first such line on a tie).
        case cheapest
        /// One unit of the selected item with the highest unit price.
        case mostExpensive = "most-expensive"
    }

    public let id: String
    public let rate: RateSchedule
    public let lines: LineSelector
    public let target: Target
    /// The most this rule takes off one receipt, in money.
    public let maximumAmount: Money?
    public let conditions: RuleConditions
    public let group: String?
    public var type: String { Self.type }
    public var stage: RuleStage { .discount }

    public init(
        id: String, rate: RateSchedule, lines: LineSelector = .all, target: Target = .lines, maximumAmount: Money? = nil,
        conditions: RuleConditions = RuleConditions(), group: String? = nil
    ) {
        self.id = id
        self.rate = rate
        self.lines = lines
        self.target = target
        self.maximumAmount = maximumAmount
        self.conditions = conditions
        self.group = group
    }

    public var canonicalDescription: String {
        var settings = "\(rate.canonicalDescription);\(lines.canonicalDescription)"
        if target != .lines { settings += ";on=\(target.rawValue)" }
        if let maximumAmount { settings += ";max=\(maximumAmount.minorUnits)" }
        return canonical(settings)
    }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String {
        let percent: Percentage
        let how: String
        switch rate.rate(in: context) {
        case .failure(let unavailable): return unavailable.reason
        case .success(let found): (percent, how) = found
        }
        guard target != .lines else {
            return Self.discount(percent, how: how, lines: lines, maximum: maximumAmount, draft: &draft, context: context)
        }
        let eligible = draft.eligible(lines, notExcludedFrom: .discount).filter { draft.lines[$0].remaining > .zero }
        guard let chosen = UnitPrice.pick(target == .cheapest ? .cheapest : .mostExpensive, among: eligible, of: draft) else {
            return lines.isAll ? "nothing left to discount" : "no line of \(lines.summary) on the receipt to discount"
        }
        let base = UnitPrice.valueOfOneUnit(draft.lines[chosen], rounding: context.rounding)
        let wanted = min(percent.of(base, rounding: context.rounding), base)
        let given = draft.takeOff(wanted, over: [chosen], weights: [1], maximum: maximumAmount)
        let which = target == .cheapest ? "the cheapest" : "the most expensive"
        return "\(how) off \(which) item, SKU \(draft.lines[chosen].sku) at \(context.currency.format(base))\(given.note)"
    }

    /// Takes `percent` off the eligible lines, within `maximum` and the program's cap; shared with coupons.
    static func discount(
        _ percent: Percentage, how: String, lines: LineSelector, maximum: Money? = nil, draft: inout QuoteDraft, context: RuleContext
    ) -> String {
        let eligible = draft.eligible(lines, notExcludedFrom: .discount)
        let base = draft.remaining(of: eligible)
        guard base > .zero else {
            return lines.isAll ? "nothing left to discount" : "no line of \(lines.summary) on the receipt to discount"
        }
        let wanted = min(percent.of(base, rounding: context.rounding), base)
        let given = draft.takeOff(wanted, over: eligible, weights: eligible.map { draft.lines[$0].remaining.minorUnits }, maximum: maximum)
        return "\(how) off \(context.currency.format(base))\(given.note)"
    }
}

extension DiscountRule {
    /// A fixed percentage off every member receipt: the classic discount card.
    public static func fixed(id: String, percent: Percentage) -> DiscountRule {
        DiscountRule(id: id, rate: .fixed(percent))
    }
}
