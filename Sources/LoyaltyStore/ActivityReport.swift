import LoyaltyDomain

/// What `loyaltyd report` shows for a period: how much of the store's business the program
/// carries, and what happened to points (issued, redeemed, expired: breakage).
public struct ActivityReport: Sendable, Hashable {
    /// The period, `[from, to)` in milliseconds since the epoch.
    public var fromMilliseconds: Int64
    public var toMilliseconds: Int64
    /// Members with at least one committed purchase in the period.
    public var activeMembers: Int
    /// Committed purchases by members, and their receipt totals (before discounts and points).
    public var memberPurchases: Int
    public var memberPurchaseTotal: Money
    /// Sales without a member that tills reported with `sale.record`.
    public var otherSales: Int
    public var otherSalesTotal: Money
    /// Points earned by purchases (ledger `earn`).
    public var pointsIssued: Points
    /// Points paid with (ledger `redeem`), as a positive number.
    public var pointsRedeemed: Points
    /// Points that expired (ledger `expire`), as a positive number: the breakage.
    public var pointsExpired: Points
    /// Net effect of refunds on balances (ledger `reverse`): earned points taken back, redeemed ones given back.
    public var pointsReversed: Points
    /// Net manual adjustments (ledger `adjust`; a merge moves points and nets to zero).
    public var pointsAdjusted: Points

    public init(
        fromMilliseconds: Int64, toMilliseconds: Int64, activeMembers: Int, memberPurchases: Int, memberPurchaseTotal: Money,
        otherSales: Int, otherSalesTotal: Money, pointsIssued: Points, pointsRedeemed: Points, pointsExpired: Points,
        pointsReversed: Points, pointsAdjusted: Points
    ) {
        self.fromMilliseconds = fromMilliseconds
        self.toMilliseconds = toMilliseconds
        self.activeMembers = activeMembers
        self.memberPurchases = memberPurchases
        self.memberPurchaseTotal = memberPurchaseTotal
        self.otherSales = otherSales
        self.otherSalesTotal = otherSalesTotal
        self.pointsIssued = pointsIssued
        self.pointsRedeemed = pointsRedeemed
        self.pointsExpired = pointsExpired
        self.pointsReversed = pointsReversed
        self.pointsAdjusted = pointsAdjusted
    }
}
