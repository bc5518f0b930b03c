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
            let member = try Self.resolve(request.member, in: db)
            do {
                return (try program.quote(request, member: member, nowMilliseconds: nowMilliseconds), member.id)
            } catch let error as QuoteError {
                throw StoreError.quote(error)
            }
        }
    }

    /// Commits a purchase and its ledger entries in one transaction.
    ///
    /// Idempotent on (till id, transaction id): a retry with the same content returns the first
    /// result and awards nothing; the same ids with different content are refused. The quote is
    /// computed inside the write transaction, so it sees the balance it spends.
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
            let member = try Self.resolve(request.member, in: db)
            let quote: Quote
            do {
                quote = try program.quote(request, member: member, nowMilliseconds: nowMilliseconds)
            } catch let error as QuoteError {
                throw StoreError.quote(error)
            }
            let result = encode(quote, member.id)
            try db.cachedExecute(
                sql: """
                    INSERT INTO purchases (id, till_id, transaction_id, state, member_id, fingerprint, total, discount,
                        redeemed_value, payable, points_earned, points_redeemed, rules_version, result, at_ms)
                    VALUES (?, ?, ?, 'committed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    purchaseID, request.tillID, request.transactionID, member.id, fingerprint,
                    quote.total.minorUnits, quote.discount.minorUnits, quote.redeemedValue.minorUnits,
                    quote.payable.minorUnits, quote.pointsEarned.value, quote.pointsRedeemed.value,
                    quote.rulesVersion, result, nowMilliseconds,
                ])
            try self.appendLedger(
                db, member: member.id, kind: .redeem, points: -quote.pointsRedeemed, purchaseID: purchaseID,
                rulesVersion: quote.rulesVersion, nowMilliseconds: nowMilliseconds)
            try self.appendLedger(
                db, member: member.id, kind: .earn, points: quote.pointsEarned, purchaseID: purchaseID,
                rulesVersion: quote.rulesVersion, nowMilliseconds: nowMilliseconds)
            return CommitOutcome(result: result, isFirstCommit: true, memberID: member.id)
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
