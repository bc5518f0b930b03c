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
    public var member: MemberSummary
    public var rounding: RoundingMode
    /// What one point is worth when redeemed, and so what one point costs when earned.
    public var pointValue: Money
    /// Milliseconds since the epoch at which the quote is computed.
    public var nowMilliseconds: Int64

    public init(request: PurchaseRequest, member: MemberSummary, rounding: RoundingMode, pointValue: Money, nowMilliseconds: Int64) {
        self.request = request
        self.member = member
        self.rounding = rounding
        self.pointValue = pointValue
        self.nowMilliseconds = nowMilliseconds
    }
}

/// The quote while rules are being applied.
public struct QuoteDraft: Sendable {
    public var total: Money
    public var discount: Money = .zero
    public var redeemedValue: Money = .zero
    public var pointsRedeemed: Points = .zero
    public var pointsEarned: Points = .zero
    public var applied: [AppliedRule] = []

    /// What is still to be paid in money at this point of the computation.
    public var payable: Money { total - discount - redeemedValue }
}

/// One earning rule of the program. The rules engine adds types; each is configured, not coded per store.
public protocol PricingRule: Sendable {
    /// The rule's name in the configuration, shown in quotes.
    var id: String { get }
    var stage: RuleStage { get }
    /// A canonical text of the rule's settings; the program's version is a hash over these.
    var canonicalDescription: String { get }
    func apply(to draft: inout QuoteDraft, in context: RuleContext)
}
