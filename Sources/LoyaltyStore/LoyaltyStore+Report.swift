import GRDB
import LoyaltyDomain

extension LoyaltyStore {
    /// Sums purchases, sales without a member and ledger entries made in `[from, to)`, from one
    /// read snapshot. A sale recorded with `sale.record` under the key of a committed member
    /// purchase is counted once, as the member's.
    public func activityReport(fromMilliseconds: Int64, toMilliseconds: Int64) async throws(StoreError) -> ActivityReport {
        try await read { db in
            let range: StatementArguments = [fromMilliseconds, toMilliseconds]
            let purchases = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS count, COALESCE(SUM(total), 0) AS total, COUNT(DISTINCT member_id) AS members
                    FROM purchases WHERE state = 'committed' AND member_id IS NOT NULL AND at_ms >= ? AND at_ms < ?
                    """,
                arguments: range)!
            let sales = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS count, COALESCE(SUM(total), 0) AS total FROM sales s
                    WHERE s.at_ms >= ? AND s.at_ms < ? AND NOT EXISTS (
                        SELECT 1 FROM purchases p
                        WHERE p.till_id = s.till_id AND p.transaction_id = s.transaction_id AND p.state = 'committed')
                    """,
                arguments: range)!
            var points: [String: Int64] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT kind, SUM(points) AS points FROM ledger WHERE at_ms >= ? AND at_ms < ? GROUP BY kind", arguments: range)
            {
                points[row["kind"]] = row["points"]
            }
            return ActivityReport(
                fromMilliseconds: fromMilliseconds, toMilliseconds: toMilliseconds, activeMembers: purchases["members"],
                memberPurchases: purchases["count"], memberPurchaseTotal: Money(minorUnits: purchases["total"]),
                otherSales: sales["count"], otherSalesTotal: Money(minorUnits: sales["total"]),
                pointsIssued: Points(points["earn"] ?? 0), pointsRedeemed: Points(-(points["redeem"] ?? 0)),
                pointsExpired: Points(-(points["expire"] ?? 0)), pointsReversed: Points(points["reverse"] ?? 0),
                pointsAdjusted: Points(points["adjust"] ?? 0))
        }
    }
}
