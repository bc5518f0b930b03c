import GRDB
import LoyaltyDomain

extension LoyaltyStore {
    /// Records a sale a till made without a member (`sale.record`), so reports can tell the
    /// members' share of all sales. Idempotent on (till id, transaction id): the same total again is
    /// harmless, another total is a conflict, and a transaction committed as a member purchase is
    /// refused (it is counted there already).
    /// - Returns: `true` when this call recorded it, `false` when it was recorded before.
    public func recordSale(tillID: String, transactionID: String, total: Money, nowMilliseconds: Int64) async throws(StoreError) -> Bool {
        let id = ids.next(milliseconds: nowMilliseconds)
        return try await write { db in
            if let recorded = try db.cachedValue(
                Int64.self, sql: "SELECT total FROM sales WHERE till_id = ? AND transaction_id = ?", arguments: [tillID, transactionID])
            {
                guard recorded == total.minorUnits else { throw StoreError.transactionConflict }
                return false
            }
            if try Self.purchaseState(tillID: tillID, transactionID: transactionID, in: db) == "committed" {
                throw StoreError.alreadyCommitted
            }
            try db.cachedExecute(
                sql: "INSERT INTO sales (id, till_id, transaction_id, total, at_ms) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, tillID, transactionID, total.minorUnits, nowMilliseconds])
            return true
        }
    }
}
