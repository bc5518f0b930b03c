import GRDB

/// What `loyaltyd db vacuum` did.
public struct VacuumOutcome: Sendable, Hashable {
    /// Database size (pages × page size) before and after.
    public var bytesBefore: Int64
    public var bytesAfter: Int64
    /// Pages that were free (left by deleted rows) before the vacuum.
    public var freePagesBefore: Int64
}

extension LoyaltyStore {
    /// Rewrites the database file without its free pages (SQLite's `VACUUM`), then checkpoints the
    /// WAL into it. It holds the write lock while it runs: the daemon's writes wait meanwhile.
    public func vacuum() throws -> VacuumOutcome {
        try pool.writeWithoutTransaction { db in
            func size() throws -> Int64 {
                (try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0) * (try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
            }
            let before = try size()
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            try db.execute(sql: "VACUUM")
            _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return VacuumOutcome(bytesBefore: before, bytesAfter: try size(), freePagesBefore: free)
        }
    }
}
