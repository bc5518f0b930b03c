/// What one rule did on one receipt, listed in every quote so the cashier and the store can see why.
public struct AppliedRule: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// The rule gave a discount or points.
        case applied
        /// The rule applied but gave nothing (the note says why: rounding, nothing eligible, …).
        case gaveNothing = "gave-nothing"
        /// A condition of the rule does not hold (the note names it).
        case notApplicable = "not-applicable"
        /// Another rule of its stacking group was chosen.
        case notChosen = "not-chosen"
    }

    public var id: String
    public var type: String
    public var status: Status
    public var discount: Money
    public var points: Points
    /// A short human explanation, such as "5% off 100.00" or "only for tiers gold".
    public var note: String

    public init(id: String, type: String, status: Status, discount: Money = .zero, points: Points = .zero, note: String) {
        self.id = id
        self.type = type
        self.status = status
        self.discount = discount
        self.points = points
        self.note = note
    }
}

/// What one receipt line got, listed when the till sent lines.
public struct QuoteLine: Sendable, Hashable {
    public var sku: String
    public var amount: Money
    public var discount: Money
    public var pointsPayment: Money
    public var pointsEarned: Points
    /// The share of the points redeemed (payment) that paid this line.
    public var pointsRedeemed: Points
    /// Whether the line is kept out of earning (tobacco): it earns nothing and does not count
    /// toward coupon thresholds.
    public var excludedFromEarning: Bool
}

/// A gift taken for points, or a discount bought with points.
public struct RewardLine: Sendable, Hashable {
    public var sku: String
    public var name: String
    public var quantity: Int64
    public var points: Points
    /// What a discount reward took off the receipt (zero for a gift).
    public var discount: Money = .zero
}

/// The program's answer to a receipt: what the member gets and what remains to pay.
public struct Quote: Sendable, Hashable {
    public var total: Money
    public var discount: Money
    public var pointsEarned: Points
    /// Points paying part of the receipt, and what they are worth in money.
    public var pointsRedeemed: Points
    public var redeemedValue: Money
    /// Points taken for catalogue rewards.
    public var rewardPoints: Points
    public var rewards: [RewardLine]
    /// The most points this member could pay with on this receipt.
    public var pointsRedeemable: Points
    public var payable: Money
    /// The member's balance before this purchase, after the points that expire now.
    public var balanceBefore: Points
    /// Points that expire now (written as `expire` ledger entries when the purchase is committed).
    public var pointsExpired: Points
    public var expiredLots: [ExpiredLot]
    public var spendableBefore: Points
    public var pendingBefore: Points
    public var tier: String?
    public var couponApplied: Coupon?
    public var couponsIssued: [CouponIssue]
    /// Per line, when the till sent lines.
    public var lines: [QuoteLine]
    /// When the points earned become spendable and when they expire (`nil`: at once, never).
    public var earnedAvailableAtMilliseconds: Int64?
    public var earnedExpireAtMilliseconds: Int64?
    public var rules: [AppliedRule]
    /// What became of each code the till sent, in the order sent.
    public var codes: [CodeStatus] = []
    /// Uses a commit records: rules with usage limits or single-use codes that gave something.
    public var promotionUses: [PromotionUse] = []
    /// The hash of the rule set this quote was computed with; recorded on every ledger entry.
    public var rulesVersion: String

    public var balanceAfter: Points { balanceBefore - pointsRedeemed - rewardPoints + pointsEarned }
    /// Spend as spend tiers and progressive rates (`percent_by_spend`, `earn_percent_by_spend`)
    /// count it: the receipt after discounts, the part paid with points and lines kept out of
    /// earning included; refunds take it back in proportion to the money refunded.
    public var spend: Money { total - discount }
}

/// The part of a lot that expires.
public struct ExpiredLot: Sendable, Hashable {
    public var lotID: String
    public var points: Points
    public var expiresAtMilliseconds: Int64
}
