/// The program-wide settings the rules work within: currency and time zone, tiers, what points
/// may pay, expiry, refunds of spent points and of rewards, exclusions, stacking groups, the
/// reward catalogue.
public struct ProgramPolicies: Sendable {
    public var currency: Currency
    public var timeZone: StoreTimeZone
    public var tiers: TierLadder?
    public var redemption: RedemptionPolicy
    public var expiry: PointsExpiryPolicy
    public var spentPoints: SpentPointsPolicy
    /// When a refund gives back the points of a catalogue reward taken with the purchase.
    public var rewardRefunds: RewardRefundPolicy
    public var exclusions: [LineExclusion]
    public var groups: [StackingGroup]
    public var rewards: [CatalogueReward]
    /// All discounts together never take more than this share of a receipt.
    public var maximumDiscount: Percentage
    /// The store this program runs in (`store.id`): rules with `when.stores` apply only there.
    public var storeID = ""

    public init(
        currency: Currency = Currency(code: "EUR", minorUnitDigits: 2), timeZone: StoreTimeZone = .utc, tiers: TierLadder? = nil,
        redemption: RedemptionPolicy = RedemptionPolicy(), expiry: PointsExpiryPolicy = PointsExpiryPolicy(),
        spentPoints: SpentPointsPolicy = .allowNegative, rewardRefunds: RewardRefundPolicy = .whenReturned,
        exclusions: [LineExclusion] = [], groups: [StackingGroup] = [], rewards: [CatalogueReward] = [],
        maximumDiscount: Percentage = Percentage(millionths: 100 * Percentage.scale)
    ) {
        self.currency = currency
        self.timeZone = timeZone
        self.tiers = tiers
        self.redemption = redemption
        self.expiry = expiry
        self.spentPoints = spentPoints
        self.rewardRefunds = rewardRefunds
        self.exclusions = exclusions
        self.groups = groups
        self.rewards = rewards
        self.maximumDiscount = maximumDiscount
    }

    var canonicalDescription: String {
        var parts = [
            "currency=\(currency.code)/\(currency.minorUnitDigits)", "tz=\(timeZone.name)",
            "redeem=\(redemption.maximumShare.millionths),\(redemption.minimumBalance.value)"
                + (redemption.blockSize == Points(1) ? "" : ",block=\(redemption.blockSize.value)")
                + (redemption.earnedPointsPayRewards ? ",own-points-pay-rewards" : ""), expiry.canonicalDescription,
            "spent=\(spentPoints.rawValue)", "reward_refunds=\(rewardRefunds.rawValue)", "max_discount=\(maximumDiscount.millionths)",
        ]
        if let tiers { parts.append(tiers.canonicalDescription) }
        parts += exclusions.map(\.canonicalDescription)
        parts += groups.map { "group=\($0.name):\($0.mode.rawValue)" }
        parts += rewards.map { "reward=\($0.sku):\($0.points.value)" + ($0.percent.map { ":pct=\($0.millionths)" } ?? "") }
        return parts.joined(separator: ";")
    }
}

/// What points may pay.
public struct RedemptionPolicy: Sendable, Hashable {
    /// Points pay at most this share of a receipt (of what remains after discounts on lines that
    /// may be paid with points).
    public var maximumShare: Percentage
    /// A member needs at least this many spendable points to pay with points or take a reward.
    public var minimumBalance: Points

    /// Points pay in whole blocks of this many (a till's `redeem_points` is a multiple of it).
    public var blockSize: Points
    /// Whether the points a receipt earns may pay that receipt's rewards (Odoo: yes; ERPNext and the
    /// default: no). Only points spendable at once count (no pending period); never for `redeem_points`.
    public var earnedPointsPayRewards = false

    public init(
        maximumShare: Percentage = Percentage(millionths: 100 * Percentage.scale), minimumBalance: Points = .zero, blockSize: Points = Points(1)
    ) {
        precondition(blockSize.value >= 1, "a block is at least one point")
        self.blockSize = blockSize
        self.maximumShare = maximumShare
        self.minimumBalance = minimumBalance
    }
}

/// What a refund does when the points it should take back were already spent.
public enum SpentPointsPolicy: String, Sendable, Hashable, CaseIterable {
    /// Take them back anyway: the balance may go below zero.
    case allowNegative = "allow-negative"
    /// Take back only what the member still has; the rest is forgiven (and reported as such).
    case reduceRefund = "reduce-refund"
}
