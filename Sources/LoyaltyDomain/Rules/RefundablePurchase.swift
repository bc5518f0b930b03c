/// A committed purchase as a refund sees it: what it gave, line by line, the rewards taken with
/// it, the coupons it issued, and what earlier refunds already gave back.
///
/// The store reads it from its rows; ``RefundPlan`` decides everything from it, so that the rules
/// of refunds live in the domain and no door into the data can skip them.
public struct RefundablePurchase: Sendable, Hashable {
    /// A receipt line as it was committed.
    public struct Line: Sendable, Hashable {
        public var sku: String
        public var amount: Money
        public var pointsEarned: Points
        /// Money already refunded of this line.
        public var refunded: Money
        /// Whether the line was kept out of earning (tobacco): it then does not count toward the
        /// coupon thresholds either, so refunding it never cancels a coupon.
        public var excludedFromEarning: Bool

        public init(sku: String, amount: Money, pointsEarned: Points, refunded: Money = .zero, excludedFromEarning: Bool = false) {
            self.sku = sku
            self.amount = amount
            self.pointsEarned = pointsEarned
            self.refunded = refunded
            self.excludedFromEarning = excludedFromEarning
        }
    }

    /// A catalogue reward taken with the purchase.
    public struct Reward: Sendable, Hashable {
        public var sku: String
        public var quantity: Int64
        /// What it cost, for its whole quantity.
        public var points: Points
        /// Whether an earlier refund returned it.
        public var isReturned: Bool

        public init(sku: String, quantity: Int64, points: Points, isReturned: Bool = false) {
            self.sku = sku
            self.quantity = quantity
            self.points = points
            self.isReturned = isReturned
        }
    }

    /// A coupon the purchase issued that is still unused.
    public struct IssuedCoupon: Sendable, Hashable {
        public var id: String
        /// The threshold that earned it; a refund that takes the purchase below it cancels it.
        public var minimumTotal: Money

        public init(id: String, minimumTotal: Money) {
            self.id = id
            self.minimumTotal = minimumTotal
        }
    }

    /// The receipt total before discounts and points: what refunds are measured against.
    public var total: Money
    public var pointsEarned: Points
    /// Points that paid part of the receipt. (A purchase recorded before rewards were kept one by
    /// one has its reward points here too: they follow the money, as they did then.)
    public var pointsPaid: Points
    /// The spend the purchase added to the member's totals (tiers and progressive rates count it).
    public var spend: Money
    /// Money refunded by earlier refunds.
    public var refunded: Money
    /// Redeemed and reward points earlier refunds gave back.
    public var pointsRestored: Points
    /// Receipt lines in receipt order; empty when the purchase was committed without lines.
    public var lines: [Line]
    public var rewards: [Reward]
    public var couponsIssued: [IssuedCoupon]

    public init(
        total: Money, pointsEarned: Points, pointsPaid: Points, spend: Money, refunded: Money = .zero, pointsRestored: Points = .zero,
        lines: [Line] = [], rewards: [Reward] = [], couponsIssued: [IssuedCoupon] = []
    ) {
        self.total = total
        self.pointsEarned = pointsEarned
        self.pointsPaid = pointsPaid
        self.spend = spend
        self.refunded = refunded
        self.pointsRestored = pointsRestored
        self.lines = lines
        self.rewards = rewards
        self.couponsIssued = couponsIssued
    }

    /// What of the total may still be refunded.
    public var remaining: Money { total - refunded }

    /// Reward points the purchase took, in all.
    public var rewardPoints: Points { rewards.reduce(.zero) { $0 + $1.points } }
}
