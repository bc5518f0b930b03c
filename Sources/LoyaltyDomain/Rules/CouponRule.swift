/// A next-purchase coupon: a receipt of at least `minimumTotal` earns `percent` off the member's
/// next purchase, valid for `validDays`, single use.
///
/// The rule does both halves: at its place among the discounts it applies the best coupon it issued
/// that the member holds, and once the receipt is computed it issues a new one if its conditions
/// hold. `when` conditions and `enabled` govern issuing only: coupons already issued are honoured.
///
/// The threshold is measured on what may earn: the receipt lines not kept out of earning (tobacco),
/// before discounts, so a receipt of excluded goods earns no coupon as it earns no points. A coupon
/// is used up only by a receipt it actually takes something off; on a receipt it cannot discount
/// (only excluded lines, a zero total, the discount cap already reached) the member keeps it.
///
/// A coupon may give a free item instead (`free_skus`/`free_categories`): on the next receipt that
/// holds one of those items, the cheapest whole unit of them is free; a receipt without one keeps the
/// coupon. Such coupons carry a percentage of 0 and take their items from their rule.
public struct CouponRule: PricingRule {
    public static let type = "coupon"
    public let id: String
    /// Zero for a free-item coupon.
    public let percent: Percentage
    /// The items one unit of which a free-item coupon gives; `nil` for a percentage coupon.
    public let freeItems: LineSelector?
    public let minimumTotal: Money
    public let validDays: Int
    public let conditions: RuleConditions
    public let group: String?
    public var type: String { Self.type }
    public var stage: RuleStage { .discount }

    public init(
        id: String, percent: Percentage, freeItems: LineSelector? = nil, minimumTotal: Money, validDays: Int,
        conditions: RuleConditions = RuleConditions(), group: String? = nil
    ) {
        self.id = id
        self.percent = freeItems == nil ? percent : Percentage(millionths: 0)
        self.freeItems = freeItems
        self.minimumTotal = minimumTotal
        self.validDays = validDays
        self.conditions = conditions
        self.group = group
    }

    public var canonicalDescription: String {
        canonical("\(percent.millionths);\(minimumTotal.minorUnits);\(validDays)" + (freeItems.map { ";free=\($0.canonicalDescription)" } ?? ""))
    }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String {
        let held = context.member.coupons.filter { $0.ruleID == id && $0.expiresAtMilliseconds > context.nowMilliseconds }
        if let freeItems { return applyFreeItem(freeItems, held: held, to: &draft, in: context) }
        guard draft.couponApplied == nil,
              let coupon = held.max(by: { ($0.percent.millionths, -$0.expiresAtMilliseconds) < ($1.percent.millionths, -$1.expiresAtMilliseconds) })
        else { return "the member holds no coupon of this rule" }
        let before = draft.discount
        let note = DiscountRule.discount(coupon.percent, how: "coupon \(coupon.id): \(coupon.percent)%", lines: .all, draft: &draft, context: context)
        guard draft.discount > before else { return "coupon \(coupon.id) kept for a later receipt: \(note)" }
        draft.couponApplied = coupon
        return note
    }

    /// One unit of the cheapest of `items` on the receipt, free, with the coupon that expires first.
    private func applyFreeItem(_ items: LineSelector, held: [Coupon], to draft: inout QuoteDraft, in context: RuleContext) -> String {
        guard draft.couponApplied == nil, let coupon = held.min(by: { $0.expiresAtMilliseconds < $1.expiresAtMilliseconds }) else {
            return "the member holds no coupon of this rule"
        }
        let eligible = draft.eligible(items, notExcludedFrom: .discount)
            .filter { draft.lines[$0].remaining > .zero && UnitPrice.wholeUnits(draft.lines[$0]) >= 1 }
        guard let chosen = UnitPrice.pick(.cheapest, among: eligible, of: draft) else {
            return "coupon \(coupon.id) kept for a later receipt: no \(items.summary) on this one"
        }
        let value = UnitPrice.valueOfOneUnit(draft.lines[chosen], rounding: context.rounding)
        let given = draft.takeOff(value, over: [chosen], weights: [1], maximum: nil)
        guard given.amount > .zero else { return "coupon \(coupon.id) kept for a later receipt: nothing left to discount\(given.note)" }
        draft.couponApplied = coupon
        return "coupon \(coupon.id): one SKU \(draft.lines[chosen].sku) free, \(context.currency.format(value))\(given.note)"
    }

    /// The coupon this receipt earns, if it earns one: its lines that may earn reach the threshold.
    func issue(for draft: QuoteDraft, in context: RuleContext) -> CouponIssue? {
        guard reasonNotApplicable(in: context) == nil, draft.earningAmount >= minimumTotal else { return nil }
        return CouponIssue(
            ruleID: id, percent: percent, minimumTotal: minimumTotal,
            expiresAtMilliseconds: context.nowMilliseconds + Int64(validDays) * 86_400_000)
    }
}

/// A coupon a purchase issues: the store gives it an id when the purchase is committed.
public struct CouponIssue: Sendable, Hashable {
    public var id: String?
    public var ruleID: String
    public var percent: Percentage
    /// The threshold that earned it (measured on the lines that may earn); a refund that takes the
    /// purchase below it cancels the coupon.
    public var minimumTotal: Money
    public var expiresAtMilliseconds: Int64
}
