/// The store's program: its rules and policies, how it rounds and what a point is worth.
///
/// It computes quotes and nothing else: the same request, member state and time always give
/// the same quote, which is what makes `purchase.commit` reproduce `purchase.quote`.
public struct LoyaltyProgram: Sendable {
    public let rules: [any PricingRule]
    /// How money (discounts) is rounded, and how points are: ERPNext truncates points but rounds money.
    public let rounding: RoundingMode
    public let pointsRounding: RoundingMode
    public let pointValue: Money
    public let policies: ProgramPolicies
    /// A hash of the effective rule set, recorded with every ledger entry.
    public let version: String

    public init(
        rules: [any PricingRule], rounding: RoundingMode, pointsRounding: RoundingMode? = nil, pointValue: Money,
        policies: ProgramPolicies = ProgramPolicies()
    ) {
        precondition(pointValue.minorUnits > 0, "a point is worth more than nothing")
        // Stable by configured order within a stage.
        self.rules = rules.enumerated()
            .sorted { ($0.element.stage, $0.offset) < ($1.element.stage, $1.offset) }
            .map(\.element)
        self.rounding = rounding
        self.pointsRounding = pointsRounding ?? rounding
        self.pointValue = pointValue
        self.policies = policies
        // Points rounding is named only when it differs, so existing programs keep their version.
        let roundings = self.pointsRounding == rounding
            ? "rounding=\(rounding.rawValue)" : "rounding=\(rounding.rawValue)/\(self.pointsRounding.rawValue)"
        // The store is named only when a rule is limited to stores: then the effective rules differ by store.
        let store = self.rules.contains { !$0.conditions.stores.isEmpty } ? ["store=\(policies.storeID)"] : []
        let canonical = ([roundings, "point=\(pointValue.minorUnits)", policies.canonicalDescription] + store
            + self.rules.map(\.canonicalDescription)).joined(separator: ";")
        self.version = StableHash.hex(of: canonical)
    }

    /// How long the window is that tier and spend aggregates must cover, in days (`nil`: all time).
    public var tierWindowDays: Int? { policies.tiers?.windowDays }

    /// The member as a lookup shows them at `nowMilliseconds`.
    public func view(of member: MemberState, nowMilliseconds: Int64) -> MemberView {
        let expiring = PointsExpiryPolicy.expiring(member).reduce(Points.zero) { $0 + $1.points }
        let balance = member.ledgerBalance - expiring
        return MemberView(
            id: member.id, name: member.name, status: member.status, balance: balance,
            spendable: Self.spendable(balance: balance, pending: member.pending), pending: member.pending,
            tier: policies.tiers?.level(for: member),
            coupons: member.coupons.filter { $0.expiresAtMilliseconds > nowMilliseconds })
    }

    /// Points given on enrolment by welcome-bonus rules in force at `nowMilliseconds`.
    public func enrolmentBonus(nowMilliseconds: Int64) -> Points {
        let context = self.context(
            for: PurchaseRequest(tillID: "", transactionID: "", member: .id(""), total: .zero),
            member: MemberState(id: ""), tier: nil, nowMilliseconds: nowMilliseconds)
        return rules.compactMap { $0 as? WelcomeBonusRule }
            .filter { $0.occasion == .enrolment && $0.conditions.reasonNotApplicable(in: context) == nil }
            .reduce(.zero) { $0 + $1.points }
    }

    /// Computes the quote for `request` and a member in the state `member`; `promotions` is what the
    /// store knows of the codes sent and of the uses of limited rules.
    public func quote(
        _ request: PurchaseRequest, member: MemberState, nowMilliseconds: Int64, promotions: PromotionState = PromotionState()
    ) throws(QuoteError) -> Quote {
        guard member.status == .active else { throw .memberBlocked }
        guard request.redeemPoints.value >= 0 else { throw .negativeRedemption }
        let tier = policies.tiers?.level(for: member, receiptTotal: request.total)
        let context = self.context(for: request, member: member, tier: tier, nowMilliseconds: nowMilliseconds, promotions: promotions)
        let expired = PointsExpiryPolicy.expiring(member)
        let pointsExpired = expired.reduce(Points.zero) { $0 + $1.points }
        let balance = member.ledgerBalance - pointsExpired
        let spendable = Self.spendable(balance: balance, pending: member.pending)

        var draft = QuoteDraft(
            request: request, exclusions: policies.exclusions,
            discountCap: policies.maximumDiscount.of(request.total, rounding: .down))
        run(.discount, on: &draft, in: context)

        // Rewards first, then points as payment, both from what the member may spend.
        var (rewards, rewardPoints) = try self.rewards(request.rewards)
        let meetsMinimum = spendable >= policies.redemption.minimumBalance
        // With earned_points_pay_rewards the receipt's own points may pay its rewards (Odoo): checked
        // once they are known, below; they never pay the points given as payment.
        let ownPointsPay = policies.redemption.earnedPointsPayRewards && policies.expiry.pendingDays == 0
        if rewardPoints > .zero {
            guard meetsMinimum, ownPointsPay || rewardPoints <= spendable else {
                throw .rewardsTooExpensive(cost: rewardPoints, spendable: meetsMinimum ? spendable : .zero)
            }
        }
        applyDiscountRewards(&rewards, to: &draft, in: context)
        let payableWithPoints = draft.eligible(.all, notExcludedFrom: .pointsPayment)
        let cap = policies.redemption.maximumShare.of(draft.remaining(of: payableWithPoints), rounding: .down)
        let affordable = Points(cap.minorUnits / pointValue.minorUnits)
        let block = policies.redemption.blockSize.value
        let unblocked = meetsMinimum ? max(.zero, min(spendable - rewardPoints, affordable)) : .zero
        let redeemable = Points(unblocked.value / block * block)
        if request.redeemPoints > .zero {
            guard request.redeemPoints.value % block == 0 else {
                throw .redemptionNotInBlocks(requested: request.redeemPoints, block: policies.redemption.blockSize, redeemable: redeemable)
            }
            guard request.redeemPoints <= redeemable else {
                throw .redemptionTooLarge(requested: request.redeemPoints, redeemable: redeemable)
            }
            draft.pointsRedeemed = request.redeemPoints
            draft.addPointsPayment(
                Money(minorUnits: request.redeemPoints.value * pointValue.minorUnits), over: payableWithPoints)
        }

        run(.earning, on: &draft, in: context)
        if ownPointsPay, rewardPoints > spendable {
            guard rewardPoints <= spendable + draft.pointsEarned, draft.pointsRedeemed == .zero else {
                throw .rewardsTooExpensive(cost: rewardPoints, spendable: spendable + draft.pointsEarned)
            }
        }

        let issued = rules.compactMap { $0 as? CouponRule }.compactMap { $0.issue(for: draft, in: context) }
        let earned = draft.pointsEarned
        let (codes, uses) = PromotionCodes.outcome(of: request.codes, rules: rules, applied: draft.applied, in: context)
        let redeemedShares = Allocation.split(
            draft.pointsRedeemed.value, weights: draft.lines.map(\.pointsPayment.minorUnits))
        return Quote(
            total: draft.total, discount: draft.discount, pointsEarned: earned,
            pointsRedeemed: draft.pointsRedeemed, redeemedValue: draft.redeemedValue,
            rewardPoints: rewardPoints, rewards: rewards, pointsRedeemable: redeemable, payable: draft.payable,
            balanceBefore: balance, pointsExpired: pointsExpired,
            expiredLots: expired,
            spendableBefore: spendable, pendingBefore: member.pending, tier: tier,
            couponApplied: draft.couponApplied, couponsIssued: issued,
            lines: draft.hasReceiptLines ? zip(draft.lines, redeemedShares).map { line, redeemed in
                QuoteLine(
                    sku: line.sku, amount: line.amount, discount: line.discount, pointsPayment: line.pointsPayment,
                    pointsEarned: line.pointsEarned, pointsRedeemed: Points(redeemed),
                    excludedFromEarning: line.excludedFrom.contains(.earning))
            } : [],
            earnedAvailableAtMilliseconds: earned > .zero ? policies.expiry.availability(ofPointsEarnedAt: nowMilliseconds) : nil,
            earnedExpireAtMilliseconds: earned > .zero ? policies.expiry.expiry(ofPointsEarnedAt: nowMilliseconds) : nil,
            rules: draft.applied, codes: codes, promotionUses: uses, rulesVersion: version)
    }

    /// Discount rewards take their percentage off what the discount rules left (lines not excluded
    /// from discounts, within the program's cap), listed among the rules as type `reward`.
    private func applyDiscountRewards(_ rewards: inout [RewardLine], to draft: inout QuoteDraft, in context: RuleContext) {
        for index in rewards.indices {
            guard let percent = policies.rewards.first(where: { $0.sku == rewards[index].sku })?.percent else { continue }
            let before = draft.discount
            let note = DiscountRule.discount(
                percent, how: "\(rewards[index].points) points for \(percent)%", lines: .all, draft: &draft, context: context)
            rewards[index].discount = draft.discount - before
            draft.applied.append(AppliedRule(
                id: rewards[index].sku, type: "reward", status: rewards[index].discount > .zero ? .applied : .gaveNothing,
                discount: rewards[index].discount, note: note))
        }
    }

    static func spendable(balance: Points, pending: Points) -> Points {
        max(.zero, balance - pending)
    }

    private func context(
        for request: PurchaseRequest, member: MemberState, tier: String?, nowMilliseconds: Int64,
        promotions: PromotionState = PromotionState()
    ) -> RuleContext {
        RuleContext(
            request: request, member: member, tier: tier, rounding: rounding, pointsRounding: pointsRounding, pointValue: pointValue,
            currency: policies.currency, nowMilliseconds: nowMilliseconds,
            localTime: policies.timeZone.localTime(atMilliseconds: nowMilliseconds), promotions: promotions, storeID: policies.storeID)
    }

    private func rewards(_ requested: [RewardRequest]) throws(QuoteError) -> ([RewardLine], Points) {
        var lines: [RewardLine] = []
        var total = Points.zero
        for request in requested {
            guard let reward = policies.rewards.first(where: { $0.sku == request.sku }) else { throw .unknownReward(request.sku) }
            if reward.percent != nil, request.quantity != 1 || requested.filter({ $0.sku == request.sku }).count > 1 {
                throw .rewardOncePerReceipt(request.sku)
            }
            let points = Points(reward.points.value * request.quantity)
            lines.append(RewardLine(sku: reward.sku, name: reward.name, quantity: request.quantity, points: points))
            total += points
        }
        return (lines, total)
    }
}

/// Why a quote cannot be given.
public enum QuoteError: Error, Sendable, Equatable, CustomStringConvertible {
    case memberBlocked
    case negativeRedemption
    case redemptionTooLarge(requested: Points, redeemable: Points)
    case unknownReward(String)
    case rewardsTooExpensive(cost: Points, spendable: Points)
    case redemptionNotInBlocks(requested: Points, block: Points, redeemable: Points)
    case rewardOncePerReceipt(String)

    public var description: String {
        switch self {
        case .memberBlocked: "the member is blocked"
        case .negativeRedemption: "redeem_points must not be negative"
        case .redemptionTooLarge(let requested, let redeemable):
            "cannot redeem \(requested) points: at most \(redeemable) can be redeemed on this receipt"
        case .unknownReward(let sku): "no catalogue reward has the SKU \"\(sku)\""
        case .rewardOncePerReceipt(let sku): "the discount reward \"\(sku)\" is taken once per receipt (quantity 1)"
        case .redemptionNotInBlocks(let requested, let block, let redeemable):
            "cannot redeem \(requested) points: points are redeemed in blocks of \(block) (at most \(redeemable) on this receipt)"
        case .rewardsTooExpensive(let cost, let spendable):
            "the rewards cost \(cost) points; the member can spend \(spendable)"
        }
    }
}
