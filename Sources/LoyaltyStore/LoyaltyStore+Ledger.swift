import GRDB
import LoyaltyDomain

/// The kinds of ledger entry; a balance is the sum of a member's entries.
public enum LedgerKind: String, Sendable, CaseIterable {
    case earn, redeem, expire, reverse, adjust
}

extension LoyaltyStore {
    /// Appends one ledger entry and moves the cached balance with it, inside the caller's transaction.
    /// This is the only code that writes either table. An `earn` entry is a lot: it records when
    /// its points become spendable and expire, and the member's lot credits through it.
    ///
    /// - Parameter id: the entry's id; a new one when `nil`. A derived entry that any box of a chain
    ///   could make (the expiry of a lot) gets an id computed from what it derives from, and an
    ///   entry whose id is already in the ledger is not written again: the same fact made in two
    ///   places counts once.
    /// - Returns: whether the entry was written.
    @discardableResult
    func appendLedger(
        _ db: Database, id: String? = nil, member: MemberID, kind: LedgerKind, points: Points, purchaseID: String? = nil,
        refundID: String? = nil, rulesVersion: String?, note: String? = nil, lot: LotTimes? = nil, expiredLot: String? = nil,
        nowMilliseconds: Int64
    ) throws -> Bool {
        guard points != .zero else { return false }
        let entryID = id ?? ids.next(milliseconds: nowMilliseconds)
        let isEarn = kind == .earn
        try db.cachedExecute(
            sql: """
                INSERT INTO ledger (id, member_id, kind, points, purchase_id, refund_id, rules_version, note, at_ms,
                    available_at_ms, expires_at_ms, credit_total, lot_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    CASE WHEN ? THEN COALESCE((SELECT credited FROM member_totals WHERE member_id = ?), 0) + ? END, ?)
                ON CONFLICT (id) DO NOTHING
                """,
            arguments: [
                entryID, member, kind.rawValue, points.value, purchaseID, refundID,
                rulesVersion, note, nowMilliseconds, lot?.availableAt, lot?.expiresAt, isEarn, member, points.value, expiredLot,
            ])
        guard db.changesCount == 1 else { return false }
        if isEarn {
            try db.cachedExecute(sql: """
                INSERT INTO member_totals (member_id, credited) VALUES (?, ?)
                ON CONFLICT (member_id) DO UPDATE SET credited = credited + excluded.credited
                """, arguments: [member, points.value])
        }
        if kind == .expire, let expiredLot {
            // The lot is written off: this box's expiry cursor moves past it, as the box that wrote
            // the expiry moved its own.
            try db.cachedExecute(sql: """
                INSERT INTO member_totals (member_id, expired_through_ms)
                SELECT ?, expires_at_ms FROM ledger WHERE id = ? AND expires_at_ms IS NOT NULL
                ON CONFLICT (member_id) DO UPDATE SET expired_through_ms = max(expired_through_ms, excluded.expired_through_ms)
                """, arguments: [member, expiredLot])
        }
        try db.cachedExecute(
            sql: """
                INSERT INTO balances (member_id, points) VALUES (?, ?)
                ON CONFLICT (member_id) DO UPDATE SET points = points + excluded.points
                """,
            arguments: [member, points.value])
        return true
    }

    /// When a lot's points become spendable and when they expire (`nil`: at once, never).
    struct LotTimes {
        var availableAt: Int64?
        var expiresAt: Int64?
    }

    /// Writes the expiry of the lots a quote found due, and moves the member's expiry cursor past them.
    func expireLots(_ db: Database, member: MemberID, lots: [ExpiredLot], rulesVersion: String, nowMilliseconds: Int64) throws {
        guard let last = lots.map(\.expiresAtMilliseconds).max() else { return }
        for lot in lots {
            try appendLedger(
                db, id: Self.expiryID(ofLot: lot.lotID), member: member, kind: .expire, points: -lot.points, rulesVersion: rulesVersion,
                note: "points expired", expiredLot: lot.lotID, nowMilliseconds: nowMilliseconds)
        }
        try db.cachedExecute(sql: """
            INSERT INTO member_totals (member_id, expired_through_ms) VALUES (?, ?)
            ON CONFLICT (member_id) DO UPDATE SET expired_through_ms = max(expired_through_ms, excluded.expired_through_ms)
            """, arguments: [member, last])
    }

    /// The id of a lot's expiry: the lot's own id with `:expired`, so that every box of a chain that
    /// expires the lot writes the same entry, and it counts once.
    static func expiryID(ofLot lotID: String) -> String { "\(lotID):expired" }

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

extension LoyaltyStore {
    /// Points the member redeemed in this store since `since` (for the chain's offline caps).
    public func pointsRedeemed(by member: MemberID, since: Int64) async throws(StoreError) -> Points {
        let prefix = ids.storeID + "-"
        return try await read { db in
            Points(try db.cachedValue(Int64.self, sql: """
                SELECT COALESCE(-SUM(points), 0) FROM ledger
                WHERE member_id = ? AND kind = 'redeem' AND at_ms >= ? AND substr(id, 1, ?) = ?
                """, arguments: [member, since, prefix.utf8.count, prefix]) ?? 0)
        }
    }
}
