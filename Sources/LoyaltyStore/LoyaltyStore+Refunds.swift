import GRDB
import LoyaltyDomain

/// What a refund did, before it is encoded for the till.
public struct RefundSettlement: Sendable, Hashable {
    public var memberID: MemberID
    public var amount: Money
    /// Earned points taken back by this refund.
    public var pointsReversed: Points
    /// Redeemed points given back by this refund.
    public var pointsRestored: Points
    /// What of the purchase total may still be refunded.
    public var remaining: Money
    public var balanceAfter: Points
}

/// The outcome of `purchase.refund`.
public struct RefundOutcome: Sendable {
    public var result: String
    public var isFirstRefund: Bool
}

extension LoyaltyStore {
    /// Refunds a committed purchase in whole (`amount` nil: all that remains) or in part.
    ///
    /// Earned points are reversed and redeemed points restored in proportion to the money refunded,
    /// cumulatively, so parts add up to the whole. Idempotent on (till id, refund id). A member who
    /// already spent the earned points may go below zero: the refund is never refused for it.
    public func refund(
        tillID: String, transactionID: String, refundID: String, amount: Money?, rounding: RoundingMode,
        nowMilliseconds: Int64, encode: @escaping @Sendable (RefundSettlement) -> String
    ) async throws(StoreError) -> RefundOutcome {
        let rowID = ids.next(milliseconds: nowMilliseconds)
        return try await write { db in
            guard let purchase = try db.cachedRow(sql: "SELECT * FROM purchases WHERE till_id = ? AND transaction_id = ? AND state = 'committed'",
                arguments: [tillID, transactionID])
            else { throw StoreError.purchaseNotFound }
            let purchaseID: String = purchase["id"]
            let total = Money(minorUnits: purchase["total"])

            if let previous = try db.cachedRow(sql: "SELECT purchase_id, amount, result FROM refunds WHERE till_id = ? AND refund_id = ?",
                arguments: [tillID, refundID])
            {
                // A retry: same purchase, and the same amount when one was given.
                let sameAmount = amount.map { $0.minorUnits == previous["amount"] as Int64 } ?? true
                guard previous["purchase_id"] as String == purchaseID, sameAmount else { throw StoreError.refundConflict }
                return RefundOutcome(result: previous["result"], isFirstRefund: false)
            }

            let before = try db.cachedRow(sql: """
                    SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(points_reversed), 0) AS reversed,
                           COALESCE(SUM(points_restored), 0) AS restored
                    FROM refunds WHERE purchase_id = ?
                    """,
                arguments: [purchaseID])!
            let refundedBefore = Money(minorUnits: before["amount"])
            let remaining = total - refundedBefore
            let refunding = amount ?? remaining
            guard refunding.minorUnits > 0, refunding <= remaining else {
                throw StoreError.refundExceedsPurchase(remaining: remaining)
            }
            let reversed = RefundCalculator.pointsToReturn(
                of: Points(purchase["points_earned"]), alreadyReturned: Points(before["reversed"]),
                refundedBefore: refundedBefore, refunding: refunding, basis: total, rounding: rounding)
            let restored = RefundCalculator.pointsToReturn(
                of: Points(purchase["points_redeemed"]), alreadyReturned: Points(before["restored"]),
                refundedBefore: refundedBefore, refunding: refunding, basis: total, rounding: rounding)

            let memberID: String = purchase["member_id"]
            let balanceBefore = try db.cachedValue(Int64.self, sql: "SELECT points FROM balances WHERE member_id = ?", arguments: [memberID]) ?? 0
            let settlement = RefundSettlement(
                memberID: memberID, amount: refunding, pointsReversed: reversed, pointsRestored: restored,
                remaining: remaining - refunding, balanceAfter: Points(balanceBefore) - reversed + restored)
            let result = encode(settlement)
            try db.cachedExecute(
                sql: """
                    INSERT INTO refunds (id, till_id, refund_id, purchase_id, amount, points_reversed, points_restored, result, at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [rowID, tillID, refundID, purchaseID, refunding.minorUnits, reversed.value, restored.value, result, nowMilliseconds])
            let version: String? = purchase["rules_version"]
            try self.appendLedger(
                db, member: memberID, kind: .reverse, points: -reversed, purchaseID: purchaseID, refundID: rowID,
                rulesVersion: version, note: "earned points reversed by refund", nowMilliseconds: nowMilliseconds)
            try self.appendLedger(
                db, member: memberID, kind: .reverse, points: restored, purchaseID: purchaseID, refundID: rowID,
                rulesVersion: version, note: "redeemed points restored by refund", nowMilliseconds: nowMilliseconds)
            return RefundOutcome(result: result, isFirstRefund: true)
        }
    }
}
