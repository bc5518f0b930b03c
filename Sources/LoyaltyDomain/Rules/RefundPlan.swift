/// What one refund of a committed purchase does, decided from the purchase, the refund asked for,
/// the member's state and the program, and nothing else: the refund's counterpart of ``Quote``.
///
/// - Money: a whole refund returns all that remains; an amount is spread over the lines in
///   proportion to what remains of each; a refund by lines takes each SKU's lines in receipt order.
/// - Earned points are reversed line by line in proportion to each line's money refunded (a line
///   that earned nothing, such as tobacco, reverses nothing); points that paid part of the receipt
///   and the spend are given back in proportion to the money refunded of the whole purchase.
///   Every share is computed from the cumulative amount refunded, so rounding never drifts:
///   refunding in any number of parts returns exactly what one whole refund would, never more.
/// - Reward points come back as ``RewardRefundPolicy`` says: by default only with the reward itself.
/// - Points due to expire are written off first; earned points already spent are taken back or
///   forgiven as ``SpentPointsPolicy`` says.
/// - Single-use codes and uses of limited rules come back only when the whole receipt is refunded.
/// - An unused coupon the purchase issued is cancelled once what remains of the purchase, measured
///   as its threshold was (lines kept out of earning do not count), is below that threshold.
///
/// The store reads its rows into a ``RefundablePurchase`` and writes the plan; it decides nothing.
public struct RefundPlan: Sendable, Hashable {
    /// Money this refund returns.
    public var amount: Money
    /// For each line of the purchase, in receipt order, the money this refund returns of it.
    public var lineAmounts: [Money]
    /// Positions in the purchase's rewards of the rewards this refund returns.
    public var rewardsReturned: [Int]
    /// Earned points taken back.
    public var pointsReversed: Points
    /// Earned points this refund should have taken back but did not: the member had spent them and
    /// the policy is `reduce-refund`.
    public var pointsForgiven: Points
    /// Points that paid part of the receipt or bought a returned reward, given back.
    public var pointsRestored: Points
    /// Lots due to expire, written off before the refund (so the spent-points policy sees what is left).
    public var expiredLots: [ExpiredLot]
    public var pointsExpired: Points
    public var spentPointsPolicy: SpentPointsPolicy
    /// Spend taken back from the member's totals.
    public var spend: Money
    /// Whether this refund returns the last of the purchase's money, which takes its visit back.
    public var takesVisitBack: Bool
    /// Whether the promotion uses the purchase recorded (single-use codes, limited rules) are given
    /// back: only when the whole receipt is refunded, by this refund or with earlier ones.
    public var returnsPromotionUses: Bool { takesVisitBack }
    /// Unused coupons the purchase issued that this refund cancels, by id.
    public var couponsCancelled: [String]
    /// Money of the purchase still refundable after this refund.
    public var remaining: Money
    public var balanceAfter: Points

    /// Plans a refund of `scope` of `purchase` for a member in the state `member`.
    public init(
        purchase: RefundablePurchase, scope: RefundScope, member: MemberState, program: LoyaltyProgram
    ) throws(RefundError) {
        let rounding = program.rounding
        let pointsRounding = program.pointsRounding
        let rewardsByName = program.policies.rewardRefunds == .whenReturned
        let remaining = purchase.remaining
        var lineAmounts = Array(repeating: Money.zero, count: purchase.lines.count)
        var returning: [Int] = []

        if scope.lines.isEmpty {
            let refunding = scope.amount ?? remaining
            guard refunding <= remaining else { throw .exceedsPurchase(remaining: remaining) }
            if !purchase.lines.isEmpty {
                let left = purchase.lines.map { ($0.amount - $0.refunded).minorUnits }
                lineAmounts = Allocation.split(max(refunding.minorUnits, 0), weights: left).map { Money(minorUnits: $0) }
            }
            if scope.isWhole, rewardsByName {
                returning = purchase.rewards.indices.filter { !purchase.rewards[$0].isReturned }
            }
            amount = refunding
        } else {
            var left = purchase.lines.map { $0.amount - $0.refunded }
            for asked in scope.lines {
                if rewardsByName, purchase.rewards.contains(where: { $0.sku == asked.sku }) {
                    guard asked.amount == nil else {
                        throw .linesUnknown("\(asked.sku) is a reward taken for points: it is returned whole, without an amount")
                    }
                    let open = purchase.rewards.indices.filter {
                        purchase.rewards[$0].sku == asked.sku && !purchase.rewards[$0].isReturned && !returning.contains($0)
                    }
                    guard !open.isEmpty else { throw .linesUnknown("the reward \(asked.sku) was already returned") }
                    returning += open
                    continue
                }
                guard !purchase.lines.isEmpty else { throw .linesUnknown("the purchase was committed without lines") }
                var wanted = asked.amount
                var found = false
                for index in purchase.lines.indices where purchase.lines[index].sku == asked.sku && left[index] > .zero {
                    let take = min(wanted ?? left[index], left[index])
                    lineAmounts[index] += take
                    left[index] -= take
                    found = true
                    guard let asking = wanted else { break }
                    wanted = asking - take
                    if wanted == .zero { break }
                }
                guard found, wanted == nil || wanted == .zero else {
                    throw .linesUnknown("nothing left to refund of SKU \(asked.sku) for that amount")
                }
            }
            amount = lineAmounts.reduce(.zero, +)
            returning.sort()
        }
        guard amount > .zero || !returning.isEmpty, amount <= remaining else { throw .exceedsPurchase(remaining: remaining) }
        self.lineAmounts = lineAmounts
        rewardsReturned = returning

        // Earned points, line by line when the purchase had lines.
        let reversal: Points
        if purchase.lines.isEmpty {
            reversal = Points(Self.returned(
                purchase.pointsEarned.value, of: purchase.total, refundedBefore: purchase.refunded, refunding: amount, rounding: pointsRounding))
        } else {
            reversal = zip(purchase.lines, lineAmounts).reduce(.zero) { sum, pair in
                let (line, refunding) = pair
                return sum + Points(Self.returned(
                    line.pointsEarned.value, of: line.amount, refundedBefore: line.refunded, refunding: refunding, rounding: pointsRounding))
            }
        }

        // Points paid (and, with the with-money policy, reward points) follow the money; a returned
        // reward gives back its points whole. Never more than the purchase took, whatever the policy was.
        let followingMoney = rewardsByName ? purchase.pointsPaid : purchase.pointsPaid + purchase.rewardPoints
        let restoredByMoney = Points(Self.returned(
            followingMoney.value, of: purchase.total, refundedBefore: purchase.refunded, refunding: amount, rounding: pointsRounding))
        let restoredByReturn = returning.reduce(Points.zero) { $0 + purchase.rewards[$1].points }
        let restorable = purchase.pointsPaid + purchase.rewardPoints - purchase.pointsRestored
        let restored = max(.zero, min(restoredByMoney + restoredByReturn, restorable))
        pointsRestored = restored

        // Expiry first, then the spent-points policy on what is left.
        expiredLots = PointsExpiryPolicy.expiring(member)
        pointsExpired = expiredLots.reduce(.zero) { $0 + $1.points }
        let balance = member.ledgerBalance - pointsExpired
        spentPointsPolicy = program.policies.spentPoints
        let reversed = spentPointsPolicy == .reduceRefund ? min(reversal, max(.zero, balance + restored)) : reversal
        pointsReversed = reversed
        pointsForgiven = reversal - reversed
        balanceAfter = balance - reversed + restored

        spend = Money(minorUnits: Self.returned(
            purchase.spend.minorUnits, of: purchase.total, refundedBefore: purchase.refunded, refunding: amount, rounding: rounding))
        self.remaining = remaining - amount
        takesVisitBack = amount > .zero && amount == remaining

        // Coupon thresholds are measured on the lines that may earn, before discounts.
        let thresholdAmountLeft = purchase.lines.isEmpty
            ? self.remaining
            : zip(purchase.lines, lineAmounts).reduce(Money.zero) { sum, pair in
                let (line, refunding) = pair
                return line.excludedFromEarning ? sum : sum + line.amount - line.refunded - refunding
            }
        couponsCancelled = purchase.couponsIssued.filter { $0.minimumTotal > thresholdAmountLeft }.map(\.id).sorted()
    }

    /// The share of `whole` owed back once `refunded` of `basis` has been refunded.
    static func owed(_ whole: Int64, of basis: Money, refunded: Money, rounding: RoundingMode) -> Int64 {
        guard basis.minorUnits > 0 else { return refunded.minorUnits > 0 ? whole : 0 }
        let share = min(max(refunded.minorUnits, 0), basis.minorUnits)
        return Int64(rounding.divide(Int128(whole) * Int128(share), by: Int128(basis.minorUnits)))
    }

    /// What refunding `refunding` of `basis`, after `refundedBefore`, returns of `whole`: the
    /// difference of what is owed after and before, so parts always add up to the whole.
    static func returned(_ whole: Int64, of basis: Money, refundedBefore: Money, refunding: Money, rounding: RoundingMode) -> Int64 {
        owed(whole, of: basis, refunded: refundedBefore + refunding, rounding: rounding)
            - owed(whole, of: basis, refunded: refundedBefore, rounding: rounding)
    }
}
