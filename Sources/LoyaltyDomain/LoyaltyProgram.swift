/// The store's program: its rules, how it rounds and what a point is worth.
///
/// It computes quotes and nothing else: the same request, member state and time always give
/// the same quote, which is what makes `purchase.commit` reproduce `purchase.quote`.
public struct LoyaltyProgram: Sendable {
    public let rules: [any PricingRule]
    public let rounding: RoundingMode
    public let pointValue: Money
    /// A hash of the effective rule set, recorded with every ledger entry.
    public let version: String

    public init(rules: [any PricingRule], rounding: RoundingMode, pointValue: Money) {
        precondition(pointValue.minorUnits > 0, "a point is worth more than nothing")
        // Stable by configured order within a stage.
        self.rules = rules.enumerated()
            .sorted { ($0.element.stage, $0.offset) < ($1.element.stage, $1.offset) }
            .map(\.element)
        self.rounding = rounding
        self.pointValue = pointValue
        let canonical = (["rounding=\(rounding.rawValue)", "point=\(pointValue.minorUnits)"]
            + self.rules.map(\.canonicalDescription)).joined(separator: ";")
        self.version = StableHash.hex(of: canonical)
    }

    /// Computes the quote for `request` and a member in the state `member`.
    public func quote(_ request: PurchaseRequest, member: MemberSummary, nowMilliseconds: Int64) throws(QuoteError) -> Quote {
        guard member.status == .active else { throw .memberBlocked }
        guard request.redeemPoints.value >= 0 else { throw .negativeRedemption }
        let context = RuleContext(
            request: request, member: member, rounding: rounding, pointValue: pointValue,
            nowMilliseconds: nowMilliseconds)
        var draft = QuoteDraft(total: request.total)

        for rule in rules where rule.stage == .discount {
            rule.apply(to: &draft, in: context)
        }

        // Points pay at most what is left, in whole points.
        let affordable = Points(draft.payable.minorUnits / pointValue.minorUnits)
        let redeemable = max(.zero, min(member.balance, affordable))
        if request.redeemPoints > .zero {
            guard request.redeemPoints <= redeemable else {
                throw .redemptionTooLarge(requested: request.redeemPoints, redeemable: redeemable)
            }
            draft.pointsRedeemed = request.redeemPoints
            draft.redeemedValue = Money(minorUnits: request.redeemPoints.value * pointValue.minorUnits)
        }

        for rule in rules where rule.stage == .earning {
            rule.apply(to: &draft, in: context)
        }

        return Quote(
            total: draft.total, discount: draft.discount, pointsEarned: draft.pointsEarned,
            pointsRedeemed: draft.pointsRedeemed, redeemedValue: draft.redeemedValue,
            pointsRedeemable: redeemable, payable: draft.payable, balanceBefore: member.balance,
            rules: draft.applied, rulesVersion: version)
    }
}

/// Why a quote cannot be given.
public enum QuoteError: Error, Sendable, Equatable, CustomStringConvertible {
    case memberBlocked
    case negativeRedemption
    case redemptionTooLarge(requested: Points, redeemable: Points)

    public var description: String {
        switch self {
        case .memberBlocked: "the member is blocked"
        case .negativeRedemption: "redeem_points must not be negative"
        case .redemptionTooLarge(let requested, let redeemable):
            "cannot redeem \(requested) points: at most \(redeemable) can be redeemed on this receipt"
        }
    }
}
