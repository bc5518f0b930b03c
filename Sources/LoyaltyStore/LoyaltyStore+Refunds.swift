import GRDB
import LoyaltyDomain

/// The outcome of `purchase.refund`.
public struct RefundOutcome: Sendable {
    public var result: String
    public var isFirstRefund: Bool
}

extension LoyaltyStore {
    /// Refunds a committed purchase in whole, by amount, by lines, or by naming a reward taken with it.
    ///
    /// The store reads the purchase's rows into a ``RefundablePurchase`` and the member's state,
    /// lets ``RefundPlan`` decide (points reversed and restored, rewards returned, coupons cancelled,
    /// what the spent-points policy forgives), and writes the plan. Idempotent on (till id, refund id).
    public func refund(
        tillID: String, transactionID: String, refundID: String, scope: RefundScope, program: LoyaltyProgram,
        nowMilliseconds: Int64, encode: @escaping @Sendable (RefundSettlement) -> String
    ) async throws(StoreError) -> RefundOutcome {
        let rowID = ids.next(milliseconds: nowMilliseconds)
        return try await write { db in
            guard let purchase = try db.cachedRow(sql: "SELECT * FROM purchases WHERE till_id = ? AND transaction_id = ? AND state = 'committed'",
                arguments: [tillID, transactionID])
            else { throw StoreError.purchaseNotFound }
            let purchaseID: String = purchase["id"]

            if let previous = try db.cachedRow(sql: "SELECT purchase_id, amount, result FROM refunds WHERE till_id = ? AND refund_id = ?",
                arguments: [tillID, refundID])
            {
                // A retry: same purchase, and the same amount when one was given.
                let sameAmount = scope.amount.map { $0.minorUnits == previous["amount"] as Int64 } ?? true
                guard previous["purchase_id"] as String == purchaseID, sameAmount else { throw StoreError.refundConflict }
                return RefundOutcome(result: previous["result"], isFirstRefund: false)
            }

            let rows = try Self.refundableRows(of: purchase, in: db)
            let memberID: String = purchase["member_id"]
            let member = try Self.memberState(memberID, windowDays: nil, nowMilliseconds: nowMilliseconds, in: db)
            let plan: RefundPlan
            do throws(RefundError) {
                plan = try RefundPlan(purchase: rows.purchase, scope: scope, member: member, program: program)
            } catch {
                switch error {
                case .exceedsPurchase(let remaining): throw StoreError.refundExceedsPurchase(remaining: remaining)
                case .linesUnknown(let why): throw StoreError.refundLinesUnknown(why)
                }
            }

            let version: String? = purchase["rules_version"]
            try self.expireLots(
                db, member: memberID, lots: plan.expiredLots, rulesVersion: version ?? program.version, nowMilliseconds: nowMilliseconds)
            try self.addActivity(
                db, member: memberID, spend: Money(minorUnits: -plan.spend.minorUnits), visits: plan.takesVisitBack ? -1 : 0,
                purchasedAt: purchase["at_ms"])
            if plan.returnsPromotionUses { try self.returnPromotionUses(of: purchaseID, in: db) }
            for id in plan.couponsCancelled {
                try db.cachedExecute(sql: "UPDATE coupons SET state = 'cancelled', changed_at_ms = ? WHERE id = ? AND state = 'active'",
                    arguments: [nowMilliseconds, id])
            }

            let settlement = RefundSettlement(
                memberID: memberID, amount: plan.amount, pointsReversed: plan.pointsReversed, pointsForgiven: plan.pointsForgiven,
                pointsRestored: plan.pointsRestored, pointsExpired: plan.pointsExpired, spentPointsPolicy: plan.spentPointsPolicy,
                couponsCancelled: plan.couponsCancelled, remaining: plan.remaining, balanceAfter: plan.balanceAfter)
            let result = encode(settlement)
            try db.cachedExecute(
                sql: """
                    INSERT INTO refunds (id, till_id, refund_id, purchase_id, amount, points_reversed, points_restored,
                        points_forgiven, spend, result, at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    rowID, tillID, refundID, purchaseID, plan.amount.minorUnits, plan.pointsReversed.value, plan.pointsRestored.value,
                    plan.pointsForgiven.value, plan.spend.minorUnits, result, nowMilliseconds,
                ])
            for (position, amount) in zip(rows.linePositions, plan.lineAmounts) where amount > .zero {
                try db.cachedExecute(sql: "UPDATE purchase_lines SET refunded = refunded + ? WHERE purchase_id = ? AND position = ?",
                    arguments: [amount.minorUnits, purchaseID, position])
            }
            for index in plan.rewardsReturned {
                try db.cachedExecute(sql: "UPDATE purchase_rewards SET returned_refund_id = ? WHERE purchase_id = ? AND position = ?",
                    arguments: [rowID, purchaseID, rows.rewardPositions[index]])
            }
            try self.appendLedger(
                db, member: memberID, kind: .reverse, points: -plan.pointsReversed, purchaseID: purchaseID, refundID: rowID,
                rulesVersion: version, note: "earned points reversed by refund", nowMilliseconds: nowMilliseconds)
            try self.appendLedger(
                db, member: memberID, kind: .reverse, points: plan.pointsRestored, purchaseID: purchaseID, refundID: rowID,
                rulesVersion: version, note: plan.rewardsReturned.isEmpty ? "redeemed points restored by refund"
                    : "redeemed points restored by refund, rewards returned: "
                        + plan.rewardsReturned.map { rows.purchase.rewards[$0].sku }.joined(separator: ", "),
                nowMilliseconds: nowMilliseconds)
            return RefundOutcome(result: result, isFirstRefund: true)
        }
    }

    /// A purchase's rows as a refund sees them, and where its lines and rewards are stored.
    private struct RefundableRows {
        var purchase: RefundablePurchase
        var linePositions: [Int64]
        var rewardPositions: [Int64]
    }

    /// Reads what a refund needs of a committed purchase: its totals, lines, rewards, the unused
    /// coupons it issued, and what earlier refunds gave back. Reads only; decides nothing.
    private static func refundableRows(of purchase: Row, in db: Database) throws -> RefundableRows {
        let purchaseID: String = purchase["id"]
        let lines = try db.cachedRows(sql: """
            SELECT position, sku, amount, points_earned, refunded, excluded_from_earning FROM purchase_lines
            WHERE purchase_id = ? ORDER BY position
            """, arguments: [purchaseID])
        let rewards = try db.cachedRows(sql: """
            SELECT position, sku, quantity, points, returned_refund_id IS NOT NULL AS returned FROM purchase_rewards
            WHERE purchase_id = ? ORDER BY position
            """, arguments: [purchaseID])
        let coupons = try db.cachedRows(sql: """
            SELECT id, min_total FROM coupons WHERE issued_purchase_id = ? AND state = 'active' ORDER BY id
            """, arguments: [purchaseID])
        let before = try db.cachedRow(sql: """
            SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(points_restored), 0) AS restored FROM refunds WHERE purchase_id = ?
            """, arguments: [purchaseID])
        // points_redeemed holds paid and reward points together; with no reward rows (a purchase
        // recorded before they were kept) the reward points stay with the paid ones.
        let redeemed: Int64 = purchase["points_redeemed"]
        let rewardPoints: Int64 = rewards.isEmpty ? 0 : purchase["reward_points"]
        return RefundableRows(
            purchase: RefundablePurchase(
                total: Money(minorUnits: purchase["total"]), pointsEarned: Points(purchase["points_earned"]),
                pointsPaid: Points(redeemed - rewardPoints), spend: Money(minorUnits: purchase["spend"]),
                refunded: Money(minorUnits: before?["amount"] ?? 0), pointsRestored: Points(before?["restored"] ?? 0),
                lines: lines.map { line in
                    RefundablePurchase.Line(
                        sku: line["sku"], amount: Money(minorUnits: line["amount"]), pointsEarned: Points(line["points_earned"]),
                        refunded: Money(minorUnits: line["refunded"]), excludedFromEarning: line["excluded_from_earning"])
                },
                rewards: rewards.map { reward in
                    RefundablePurchase.Reward(
                        sku: reward["sku"], quantity: reward["quantity"], points: Points(reward["points"]), isReturned: reward["returned"])
                },
                couponsIssued: coupons.map { RefundablePurchase.IssuedCoupon(id: $0["id"], minimumTotal: Money(minorUnits: $0["min_total"])) }),
            linePositions: lines.map { $0["position"] },
            rewardPositions: rewards.map { $0["position"] })
    }
}
