import GRDB
import LoyaltyDomain

/// The outcome of `purchase.commit`.
public struct CommitOutcome: Sendable {
    /// The result as first sent to the till; a retry gets exactly these bytes again.
    public var result: String
    /// `false` when this was a retry of a commit already made: nothing was awarded again.
    public var isFirstCommit: Bool
    public var memberID: MemberID
}

extension LoyaltyStore {
    /// Quotes a purchase against the member's current state, without writing anything.
    public func quote(_ request: PurchaseRequest, program: LoyaltyProgram, nowMilliseconds: Int64) async throws(StoreError) -> (Quote, MemberID) {
        try await read { db in
            if let state = try Self.purchaseState(tillID: request.tillID, transactionID: request.transactionID, in: db) {
                throw state == "voided" ? StoreError.transactionVoided : StoreError.alreadyCommitted
            }
            let member = try Self.memberState(
                Self.resolveID(request.member, in: db), windowDays: program.tierWindowDays, nowMilliseconds: nowMilliseconds, in: db)
            return (try Self.quote(request, member: member, program: program, nowMilliseconds: nowMilliseconds, in: db), member.id)
        }
    }

    /// The program's quote, with what the store knows of the receipt's codes and of limited rules.
    static func quote(_ request: PurchaseRequest, member: MemberState, program: LoyaltyProgram, nowMilliseconds: Int64, in db: Database) throws -> Quote {
        let promotions = try promotionState(for: request, member: member.id, program: program, in: db)
        do {
            return try program.quote(request, member: member, nowMilliseconds: nowMilliseconds, promotions: promotions)
        } catch {
            throw StoreError.quote(error)
        }
    }

    /// Commits a purchase and its ledger entries in one transaction.
    ///
    /// Idempotent on (till id, transaction id): a retry with the same content returns the first
    /// result and awards nothing; the same ids with different content are refused. The quote is
    /// computed inside the write transaction, so it sees the balance it spends. Points that expired
    /// before the purchase are written off first; a coupon that gave a discount is used up; coupons
    /// earned are issued.
    /// - Parameter encode: turns the quote into the result text stored and returned to the till.
    public func commit(
        _ request: PurchaseRequest, program: LoyaltyProgram, nowMilliseconds: Int64,
        encode: @escaping @Sendable (Quote, MemberID) -> String
    ) async throws(StoreError) -> CommitOutcome {
        let purchaseID = ids.next(milliseconds: nowMilliseconds)
        return try await write { db in
            let fingerprint = request.fingerprint
            if let existing = try db.cachedRow(sql: "SELECT state, fingerprint, result, member_id FROM purchases WHERE till_id = ? AND transaction_id = ?",
                arguments: [request.tillID, request.transactionID])
            {
                guard existing["state"] as String == "committed" else { throw StoreError.transactionVoided }
                guard existing["fingerprint"] as String? == fingerprint else { throw StoreError.transactionConflict }
                return CommitOutcome(result: existing["result"], isFirstCommit: false, memberID: existing["member_id"])
            }
            let member = try Self.memberState(
                Self.resolveID(request.member, in: db), windowDays: program.tierWindowDays, nowMilliseconds: nowMilliseconds, in: db)
            var quote = try Self.quote(request, member: member, program: program, nowMilliseconds: nowMilliseconds, in: db)
            for index in quote.couponsIssued.indices { quote.couponsIssued[index].id = self.ids.next(milliseconds: nowMilliseconds) }
            let result = encode(quote, member.id)
            try db.cachedExecute(
                sql: """
                    INSERT INTO purchases (id, till_id, transaction_id, state, member_id, fingerprint, total, discount,
                        redeemed_value, payable, points_earned, points_redeemed, reward_points, spend, rules_version, result, at_ms)
                    VALUES (?, ?, ?, 'committed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    purchaseID, request.tillID, request.transactionID, member.id, fingerprint,
                    quote.total.minorUnits, quote.discount.minorUnits, quote.redeemedValue.minorUnits,
                    quote.payable.minorUnits, quote.pointsEarned.value, (quote.pointsRedeemed + quote.rewardPoints).value,
                    quote.rewardPoints.value, quote.spend.minorUnits, quote.rulesVersion, result, nowMilliseconds,
                ])
            try self.record(quote, of: purchaseID, member: member.id, program: program, nowMilliseconds: nowMilliseconds, in: db)
            return CommitOutcome(result: result, isFirstCommit: true, memberID: member.id)
        }
    }

    /// Writes what a committed quote gave: expiries, redemptions, earnings, activity, coupons, lines
    /// and rewards (what a later refund reads back into a ``RefundablePurchase``).
    private func record(_ quote: Quote, of purchaseID: String, member: MemberID, program: LoyaltyProgram, nowMilliseconds: Int64, in db: Database) throws {
        let version = quote.rulesVersion
        try expireLots(db, member: member, lots: quote.expiredLots, rulesVersion: version, nowMilliseconds: nowMilliseconds)
        try appendLedger(
            db, member: member, kind: .redeem, points: -quote.pointsRedeemed, purchaseID: purchaseID,
            rulesVersion: version, note: "paid with points", nowMilliseconds: nowMilliseconds)
        if !quote.rewards.isEmpty {
            let items = quote.rewards.map { "\($0.sku)×\($0.quantity)" }.joined(separator: ", ")
            try appendLedger(
                db, member: member, kind: .redeem, points: -quote.rewardPoints, purchaseID: purchaseID,
                rulesVersion: version, note: "rewards: \(items)", nowMilliseconds: nowMilliseconds)
        }
        try appendLedger(
            db, member: member, kind: .earn, points: quote.pointsEarned, purchaseID: purchaseID, rulesVersion: version,
            lot: LotTimes(availableAt: quote.earnedAvailableAtMilliseconds, expiresAt: quote.earnedExpireAtMilliseconds),
            nowMilliseconds: nowMilliseconds)
        try addActivity(db, member: member, spend: quote.spend, visits: 1, purchasedAt: nowMilliseconds)
        try recordPromotionUses(quote.promotionUses, purchaseID: purchaseID, member: member, nowMilliseconds: nowMilliseconds, in: db)
        if let coupon = quote.couponApplied {
            try db.cachedExecute(sql: """
                UPDATE coupons SET state = 'used', used_purchase_id = ?, changed_at_ms = ? WHERE id = ? AND state = 'active'
                """, arguments: [purchaseID, nowMilliseconds, coupon.id])
        }
        for coupon in quote.couponsIssued {
            try db.cachedExecute(sql: """
                INSERT INTO coupons (id, member_id, rule_id, percent_millionths, min_total, issued_purchase_id, issued_at_ms, expires_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    coupon.id, member, coupon.ruleID, coupon.percent.millionths, coupon.minimumTotal.minorUnits, purchaseID,
                    nowMilliseconds, coupon.expiresAtMilliseconds,
                ])
        }
        for (position, line) in quote.lines.enumerated() {
            try db.cachedExecute(sql: """
                INSERT INTO purchase_lines (purchase_id, position, sku, amount, points_earned, excluded_from_earning)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [purchaseID, position, line.sku, line.amount.minorUnits, line.pointsEarned.value, line.excludedFromEarning])
        }
        for (position, reward) in quote.rewards.enumerated() {
            try db.cachedExecute(sql: """
                INSERT INTO purchase_rewards (purchase_id, position, sku, quantity, points) VALUES (?, ?, ?, ?, ?)
                """, arguments: [purchaseID, position, reward.sku, reward.quantity, reward.points.value])
        }
    }

    /// Voids a purchase that was quoted but not committed, so a late commit of it is refused.
    /// Voiding twice is harmless; voiding a committed purchase is refused (refund it instead).
    /// - Returns: `true` when this call voided it, `false` when it was already void.
    public func void(tillID: String, transactionID: String, nowMilliseconds: Int64) async throws(StoreError) -> Bool {
        let purchaseID = ids.next(milliseconds: nowMilliseconds)
        return try await write { db in
            if let state = try Self.purchaseState(tillID: tillID, transactionID: transactionID, in: db) {
                guard state == "voided" else { throw StoreError.alreadyCommitted }
                return false
            }
            try db.cachedExecute(
                sql: "INSERT INTO purchases (id, till_id, transaction_id, state, at_ms) VALUES (?, ?, ?, 'voided', ?)",
                arguments: [purchaseID, tillID, transactionID, nowMilliseconds])
            return true
        }
    }

    /// `committed`, `voided`, or `nil` when the till has not committed or voided this transaction.
    static func purchaseState(tillID: String, transactionID: String, in db: Database) throws -> String? {
        try db.cachedValue(String.self, sql: "SELECT state FROM purchases WHERE till_id = ? AND transaction_id = ?",
            arguments: [tillID, transactionID])
    }
}
