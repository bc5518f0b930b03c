/// When in the computation of a quote a rule acts. Discounts lower the price first, points
/// redeemed as payment come next, and earning rules see what is finally paid in money.
public enum RuleStage: Int, Sendable, Comparable {
    case discount = 0
    case earning = 2

    public static func < (lhs: RuleStage, rhs: RuleStage) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Everything a rule may look at. Rules are pure: the clock and the member's state come in here.
public struct RuleContext: Sendable {
    public var request: PurchaseRequest
    public var member: MemberState
    /// The member's tier before this purchase.
    public var tier: String?
    /// How money is rounded (discounts), and how points are (`program.points_rounding`).
    public var rounding: RoundingMode
    public var pointsRounding: RoundingMode
    /// What one point is worth when redeemed, and so what one point costs when earned.
    public var pointValue: Money
    public var currency: Currency
    /// Milliseconds since the epoch at which the quote is computed, and the store's wall clock then.
    public var nowMilliseconds: Int64
    public var localTime: LocalTime
    /// Single-use codes sent and uses of limited rules, as the store read them.
    public var promotions: PromotionState
    /// The store this program runs in (`store.id`), for rules limited to some stores of a chain.
    public var storeID: String
}

/// One earning rule of the program, built from configuration by the config loader.
public protocol PricingRule: Sendable {
    /// The rule's name in the configuration, shown in quotes.
    var id: String { get }
    /// The rule's type as the configuration names it (`discount`, `points`, …).
    var type: String { get }
    var stage: RuleStage { get }
    var conditions: RuleConditions { get }
    /// The stacking group the rule belongs to, if any.
    var group: String? { get }
    /// The lines the rule is about (its categories and SKUs); conditions on quantity and amount count these.
    var lines: LineSelector { get }
    /// A canonical text of the rule's settings; the program's version is a hash over these.
    var canonicalDescription: String { get }
    /// Gives what the rule gives (its conditions hold) and says how, in a few words for the quote.
    func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String
}

extension PricingRule {
    /// Rules not about receipt lines act on the whole receipt.
    public var lines: LineSelector { .all }

    /// Why the rule does not apply in `context` (its conditions, codes and limits), or `nil`.
    func reasonNotApplicable(in context: RuleContext) -> String? {
        conditions.reasonNotApplicable(in: context, ruleID: id, lines: lines)
    }

    /// The settings common to every rule, for ``canonicalDescription``.
    func canonical(_ settings: String) -> String {
        "\(type):\(id):\(settings)|when=\(conditions.canonicalDescription)|group=\(group ?? "-")"
    }
}
