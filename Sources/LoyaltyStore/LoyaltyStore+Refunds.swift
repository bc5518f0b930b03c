import GRDB
import LoyaltyDomain

/// What a refund did, before it is encoded for the till.
public struct RefundSettlement: Sendable, Hashable {
    public var memberID: MemberID
    public var amount: Money
    /// Earned points taken back by this refund.
    public var pointsReversed: Points
    /// Earned points the refund should have taken back but did not, because the member had already
    /// spent them and the program's policy is `reduce-refund`.
    public var pointsForgiven: Points
    /// Redeemed points given back by this refund.
    public var pointsRestored: Points
    /// Points that expired before the refund (written off first).
    public var pointsExpired: Points
    public var spentPointsPolicy: SpentPointsPolicy
    /// Unused coupons the purchase had issued that the refund cancelled.
    public var couponsCancelled: [String]
    /// What of the purchase total may still be refunded.
    public var remaining: Money
    public var balanceAfter: Points
}

/// The outcome of `purchase.refund`.
public struct RefundOutcome: Sendable {
    public var result: String
    public var isFirstRefund: Bool
}

/// A refund as the till asks for it: an amount, receipt lines, or (neither) all that remains.
public struct RefundScope: Sendable, Hashable {
    public var amount: Money?
    /// Lines by SKU, each with an amount (`nil`: what remains of the line).
    public var lines: [(sku: String, amount: Money?)]

    public init(amount: Money? = nil, lines: [(sku: String, amount: Money?)] = []) {
        self.amount = amount
        self.lines = lines
    }

    public static func == (lhs: RefundScope, rhs: RefundScope) -> Bool {
        lhs.amount == rhs.amount && lhs.lines.map(\.sku) == rhs.lines.map(\.sku) && lhs.lines.map(\.amount) == rhs.lines.map(\.amount)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(amount)
        for line in lines { hasher.combine(line.sku); hasher.combine(line.amount) }
    }
}

extension LoyaltyStore {
    /// Refunds a committed purchase in whole, by amount or by lines.
    ///
    /// Earned points are reversed and redeemed points restored in proportion to the money refunded
    /// (line by line when the purchase had lines), cumulatively, so parts add up to the whole and
    /// never exceed it. Idempotent on (till id, refund id). When the earned points were already
    /// spent, the program's policy decides: the balance goes below zero, or the reversal is reduced.
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
            let total = Money(minorUnits: purchase["total"])

            if let previous = try db.cachedRow(sql: "SELECT purchase_id, amount, result FROM refunds WHERE till_id = ? AND refund_id = ?",
                arguments: [tillID, refundID])
            {
                // A retry: same purchase, and the same amount when one was given.
                let sameAmount = scope.amount.map { $0.minorUnits == previous["amount"] as Int64 } ?? true
                guard previous["purchase_id"] as String == purchaseID, sameAmount else { throw StoreError.refundConflict }
                return RefundOutcome(result: previous["result"], isFirstRefund: false)
            }

            let refundedBefore = Money(minorUnits: try db.cachedValue(Int64.self, sql: """
                SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE purchase_id = ?
                """, arguments: [purchaseID]) ?? 0)
            let remaining = total - refundedBefore
            let rounding = program.rounding
            let earned: Int64 = purchase["points_earned"]
            let (refunding, reversal) = try Self.refundLines(
                purchaseID: purchaseID, scope: scope, remaining: remaining, earned: earned, refundedBefore: refundedBefore,
                total: total, rounding: rounding, in: db)
            guard refunding.minorUnits > 0, refunding <= remaining else {
                throw StoreError.refundExceedsPurchase(remaining: remaining)
            }
            let restored = Points(RefundCalculator.returned(
                purchase["points_redeemed"], refundedBefore: refundedBefore, refunding: refunding, basis: total, rounding: rounding))
            let spend = Money(minorUnits: RefundCalculator.returned(
                purchase["spend"], refundedBefore: refundedBefore, refunding: refunding, basis: total, rounding: rounding))

            // Points that expired before now are written off first, so the policy sees what is left.
            let memberID: String = purchase["member_id"]
            let version: String? = purchase["rules_version"]
            let member = try Self.memberState(memberID, windowDays: nil, nowMilliseconds: nowMilliseconds, in: db)
            let expiring = PointsExpiryPolicy.expiring(member)
            let expired = expiring.reduce(Points.zero) { $0 + $1.points }
            try self.expireLots(
                db, member: memberID,
                lots: expiring,
                rulesVersion: version ?? program.version, nowMilliseconds: nowMilliseconds)
            let balance = member.ledgerBalance - expired
            var reversed = reversal
            if program.policies.spentPoints == .reduceRefund {
                reversed = min(reversal, max(.zero, balance + restored))
            }
            let forgiven = reversal - reversed

            let fullyRefunded = refunding == remaining
            let purchasedAt: Int64 = purchase["at_ms"]
            try self.addActivity(
                db, member: memberID, spend: Money(minorUnits: -spend.minorUnits), visits: fullyRefunded ? -1 : 0, purchasedAt: purchasedAt)
            let cancelled = try String.fetchAll(db, sql: """
                UPDATE coupons SET state = 'cancelled', changed_at_ms = ?
                WHERE issued_purchase_id = ? AND state = 'active' AND min_total > ? RETURNING id
                """, arguments: [nowMilliseconds, purchaseID, (remaining - refunding).minorUnits]).sorted()

            let settlement = RefundSettlement(
                memberID: memberID, amount: refunding, pointsReversed: reversed, pointsForgiven: forgiven,
                pointsRestored: restored, pointsExpired: expired, spentPointsPolicy: program.policies.spentPoints,
                couponsCancelled: cancelled, remaining: remaining - refunding, balanceAfter: balance - reversed + restored)
            let result = encode(settlement)
            try db.cachedExecute(
                sql: """
                    INSERT INTO refunds (id, till_id, refund_id, purchase_id, amount, points_reversed, points_restored,
                        points_forgiven, spend, result, at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    rowID, tillID, refundID, purchaseID, refunding.minorUnits, reversed.value, restored.value, forgiven.value,
                    spend.minorUnits, result, nowMilliseconds,
                ])
            try self.appendLedger(
                db, member: memberID, kind: .reverse, points: -reversed, purchaseID: purchaseID, refundID: rowID,
                rulesVersion: version, note: "earned points reversed by refund", nowMilliseconds: nowMilliseconds)
            try self.appendLedger(
                db, member: memberID, kind: .reverse, points: restored, purchaseID: purchaseID, refundID: rowID,
                rulesVersion: version, note: "redeemed points restored by refund", nowMilliseconds: nowMilliseconds)
            return RefundOutcome(result: result, isFirstRefund: true)
        }
    }

    /// The money a refund returns and the earned points it reverses. A purchase committed with lines
    /// is refunded line by line (an amount is spread over the lines in proportion to what remains of
    /// each), so a line that earned nothing (tobacco) reverses nothing.
    private static func refundLines(
        purchaseID: String, scope: RefundScope, remaining: Money, earned: Int64, refundedBefore: Money, total: Money,
        rounding: RoundingMode, in db: Database
    ) throws -> (Money, Points) {
        let lines = try Row.fetchAll(db, sql: """
            SELECT position, sku, amount, points_earned, refunded FROM purchase_lines WHERE purchase_id = ? ORDER BY position
            """, arguments: [purchaseID])
        guard !lines.isEmpty else {
            guard scope.lines.isEmpty else { throw StoreError.refundLinesUnknown("the purchase was committed without lines") }
            let refunding = scope.amount ?? remaining
            guard refunding <= remaining else { throw StoreError.refundExceedsPurchase(remaining: remaining) }
            return (refunding, Points(RefundCalculator.returned(
                earned, refundedBefore: refundedBefore, refunding: refunding, basis: total, rounding: rounding)))
        }
        var left = lines.map { Money(minorUnits: ($0["amount"] as Int64) - ($0["refunded"] as Int64)) }
        var refunds = Array(repeating: Money.zero, count: lines.count)
        if scope.lines.isEmpty {
            let refunding = scope.amount ?? remaining
            guard refunding <= remaining else { throw StoreError.refundExceedsPurchase(remaining: remaining) }
            let shares = Allocation.split(refunding.minorUnits, weights: left.map(\.minorUnits))
            refunds = shares.map { Money(minorUnits: $0) }
        } else {
            for asked in scope.lines {
                var wanted = asked.amount
                var found = false
                for index in lines.indices where lines[index]["sku"] as String == asked.sku && left[index] > .zero {
                    let take = min(wanted ?? left[index], left[index])
                    refunds[index] += take
                    left[index] -= take
                    found = true
                    if let asking = wanted {
                        wanted = asking - take
                        if wanted == .zero { break }
                    } else {
                        break
                    }
                }
                guard found, wanted == nil || wanted == .zero else {
                    throw StoreError.refundLinesUnknown("nothing left to refund of SKU \(asked.sku) for that amount")
                }
            }
        }
        var reversed: Int64 = 0
        for (index, line) in lines.enumerated() where refunds[index] > .zero {
            let amount = Money(minorUnits: line["amount"])
            let before = Money(minorUnits: line["refunded"])
            reversed += RefundCalculator.returned(
                line["points_earned"], refundedBefore: before, refunding: refunds[index], basis: amount, rounding: rounding)
            try db.cachedExecute(sql: "UPDATE purchase_lines SET refunded = refunded + ? WHERE purchase_id = ? AND position = ?",
                arguments: [refunds[index].minorUnits, purchaseID, line["position"] as Int64])
        }
        return (refunds.reduce(.zero, +), Points(reversed))
    }
}
