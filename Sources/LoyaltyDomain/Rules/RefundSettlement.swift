/// What a refund did, before it is encoded for the till.
public struct RefundSettlement: Sendable, Hashable {
    public var memberID: MemberID
    public var amount: Money
    /// Earned points taken back by this refund.
    public var pointsReversed: Points
    /// Earned points the refund should have taken back but did not, because the member had already
    /// spent them and the program's policy is `reduce-refund`.
    public var pointsForgiven: Points
    /// Points given back by this refund: those that paid part of the receipt, in proportion, and
    /// those of a reward the refund returned (as `program.refunds.reward_points` says).
    public var pointsRestored: Points
    /// Points that expired before the refund (written off first).
    public var pointsExpired: Points
    public var spentPointsPolicy: SpentPointsPolicy
    /// Unused coupons the purchase had issued that the refund cancelled.
    public var couponsCancelled: [String]
    /// What of the purchase total may still be refunded.
    public var remaining: Money
    public var balanceAfter: Points

    public init(
        memberID: MemberID, amount: Money, pointsReversed: Points, pointsForgiven: Points, pointsRestored: Points,
        pointsExpired: Points, spentPointsPolicy: SpentPointsPolicy, couponsCancelled: [String], remaining: Money, balanceAfter: Points
    ) {
        self.memberID = memberID
        self.amount = amount
        self.pointsReversed = pointsReversed
        self.pointsForgiven = pointsForgiven
        self.pointsRestored = pointsRestored
        self.pointsExpired = pointsExpired
        self.spentPointsPolicy = spentPointsPolicy
        self.couponsCancelled = couponsCancelled
        self.remaining = remaining
        self.balanceAfter = balanceAfter
    }
}
