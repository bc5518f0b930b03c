import GRDB
import LoyaltyDomain

/// What `loyaltyd db verify` found.
public struct VerifyReport: Sendable, Hashable {
    /// A member whose cached balance differs from the sum of their ledger.
    public struct Mismatch: Sendable, Hashable {
        public var memberID: MemberID
        public var cached: Points
        public var ledger: Points

        public init(memberID: MemberID, cached: Points, ledger: Points) {
            self.memberID = memberID
            self.cached = cached
            self.ledger = ledger
        }
    }

    /// `PRAGMA integrity_check` lines; `["ok"]` when clean.
    public var integrity: [String]
    public var membersChecked: Int
    public var ledgerEntries: Int
    public var mismatches: [Mismatch]
    /// Bank card numbers stored as carriers (masked here); `db migrate` blocks and masks them.
    public var bankCards: [BankCardAtRest]

    public var isClean: Bool { integrity == ["ok"] && mismatches.isEmpty && bankCards.isEmpty }
}

extension LoyaltyStore {
    /// Recomputes every balance from the ledger and compares it with the cache, and runs SQLite's
    /// own integrity check. Reads one consistent snapshot; safe while the daemon runs.
    public func verify() async throws(StoreError) -> VerifyReport {
        try await read(Self.verify)
    }

    /// The checks of ``verify()`` on any connection (a backup's copy is checked through its own).
    static func verify(_ db: Database) throws -> VerifyReport {
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        let rows = try Row.fetchAll(db, sql: """
            SELECT member_id, SUM(cached) AS cached, SUM(ledger) AS ledger FROM (
                SELECT member_id, points AS cached, 0 AS ledger FROM balances
                UNION ALL
                SELECT member_id, 0, points FROM ledger
            ) GROUP BY member_id
            """)
        let mismatches = rows.compactMap { row -> VerifyReport.Mismatch? in
            let cached: Int64 = row["cached"]
            let ledger: Int64 = row["ledger"]
            return cached == ledger ? nil : .init(memberID: row["member_id"], cached: Points(cached), ledger: Points(ledger))
        }
        let entries = try db.cachedValue(Int.self, sql: "SELECT COUNT(*) FROM ledger") ?? 0
        return VerifyReport(
            integrity: integrity, membersChecked: rows.count, ledgerEntries: entries, mismatches: mismatches,
            bankCards: try bankCardsAtRest(db).map(\.card))
    }
}
