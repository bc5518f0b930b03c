import GRDB

extension LoyaltyStore {
    /// Copies the database to `destination` while the daemon runs (SQLite's online backup, from a
    /// consistent snapshot), then checks the copy: SQLite's integrity check and every balance
    /// against its ledger.
    public func backup(to destination: String) async throws -> VerifyReport {
        let copy = try DatabaseQueue(path: destination)
        try pool.backup(to: copy)
        try copy.close()
        let restored = try LoyaltyStore(path: destination, storeID: ids.storeID, migrate: false)
        defer { try? restored.close() }
        return try await restored.verify()
    }
}
