/// A percentage off the receipt (or off some of its lines): fixed, by tier, or progressive by
/// accumulated spend. Each discount applies to what earlier discounts left, within the program's
/// cap on the total discount.
public struct DiscountRule: PricingRule {
    public static let type = "discount"
    public let id: String
    public let rate: RateSchedule
    public let lines: LineSelector
    public let conditions: RuleConditions
    public let group: String?
    public var type: String { Self.type }
    public var stage: RuleStage { .discount }

    public init(id: String, rate: RateSchedule, lines: LineSelector = .all, conditions: RuleConditions = RuleConditions(), group: String? = nil) {
        self.id = id
        self.rate = rate
        self.lines = lines
        self.conditions = conditions
        self.group = group
    }

    public var canonicalDescription: String { canonical("\(rate.canonicalDescription);\(lines.canonicalDescription)") }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String {
        let percent: Percentage
        let how: String
        switch rate.rate(in: context) {
        case .failure(let unavailable): return unavailable.reason
        case .success(let found): (percent, how) = found
        }
        return Self.discount(percent, how: how, lines: lines, draft: &draft, context: context)
    }

    /// Takes `percent` off the eligible lines, within the cap; shared with coupons.
    static func discount(_ percent: Percentage, how: String, lines: LineSelector, draft: inout QuoteDraft, context: RuleContext) -> String {
        let eligible = draft.eligible(lines, notExcludedFrom: .discount)
        let base = draft.remaining(of: eligible)
        guard base > .zero else {
            return lines.isAll ? "nothing left to discount" : "no line of \(lines.summary) on the receipt to discount"
        }
        let wanted = min(percent.of(base, rounding: context.rounding), base)
        let allowed = max(.zero, draft.discountCap - draft.discount)
        let given = min(wanted, allowed)
        draft.addDiscount(given, over: eligible)
        let capped = given < wanted ? ", cut to the program's cap on discounts" : ""
        return "\(how) off \(context.currency.format(base))\(capped)"
    }
}

extension DiscountRule {
    /// A fixed percentage off every member receipt: the classic discount card.
    public static func fixed(id: String, percent: Percentage) -> DiscountRule {
        DiscountRule(id: id, rate: .fixed(percent))
    }
}
