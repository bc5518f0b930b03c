import GRDB
import LoyaltyDomain

/// The kinds of ledger entry; a balance is the sum of a member's entries.
public enum LedgerKind: String, Sendable, CaseIterable {
    case earn, redeem, expire, reverse, adjust
}

extension LoyaltyStore {
    /// Appends one ledger entry and moves the cached balance with it, inside the caller's transaction.
    /// This is the only code that writes either table.
    func appendLedger(
        _ db: Database, member: MemberID, kind: LedgerKind, points: Points, purchaseID: String? = nil,
        refundID: String? = nil, rulesVersion: String?, note: String? = nil, nowMilliseconds: Int64
    ) throws {
        guard points != .zero else { return }
        try db.cachedExecute(
            sql: """
                INSERT INTO ledger (id, member_id, kind, points, purchase_id, refund_id, rules_version, note, at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                ids.next(milliseconds: nowMilliseconds), member, kind.rawValue, points.value, purchaseID, refundID,
                rulesVersion, note, nowMilliseconds,
            ])
        try db.cachedExecute(
            sql: """
                INSERT INTO balances (member_id, points) VALUES (?, ?)
                ON CONFLICT (member_id) DO UPDATE SET points = points + excluded.points
                """,
            arguments: [member, points.value])
    }

    /// One entry of a member's ledger, newest first in ``ledger(of:limit:)``.
    public struct LedgerEntry: Sendable, Hashable {
        public var id: String
        public var kind: LedgerKind
        public var points: Points
        public var purchaseID: String?
        public var rulesVersion: String?
        public var atMilliseconds: Int64
        /// Why the entry was made, when it says (a refund, a merge).
        public var note: String?
        /// The purchase's till and transaction, when the entry belongs to a purchase
        /// (filled by ``memberDetail(_:ledgerLimit:)``).
        public var tillID: String?
        public var transactionID: String?
    }

    public func ledger(of member: MemberID, limit: Int = 50) async throws(StoreError) -> [LedgerEntry] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM ledger WHERE member_id = ? ORDER BY at_ms DESC, id DESC LIMIT ?",
                arguments: [member, limit]
            ).map { row in
                LedgerEntry(
                    id: row["id"], kind: LedgerKind(rawValue: row["kind"]) ?? .adjust, points: Points(row["points"]),
                    purchaseID: row["purchase_id"], rulesVersion: row["rules_version"], atMilliseconds: row["at_ms"])
            }
        }
    }
}
