/// A fixed percentage off every receipt of a member (the "discount card").
public struct FixedDiscountRule: PricingRule {
    public static let type = "fixed-discount"
    public let id: String
    public let percent: Percentage
    public var stage: RuleStage { .discount }

    public init(id: String, percent: Percentage) {
        self.id = id
        self.percent = percent
    }

    public var canonicalDescription: String { "\(Self.type):\(id):\(percent.millionths)" }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) {
        let base = draft.payable
        let discount = min(percent.of(base, rounding: context.rounding), base)
        draft.discount += discount
        draft.applied.append(AppliedRule(id: id, type: Self.type, discount: discount, note: "\(percent)% off"))
    }
}
