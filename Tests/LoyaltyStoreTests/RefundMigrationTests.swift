import GRDB
import LoyaltyDomain
@testable import LoyaltyStore
import LoyaltyTestSupport
import Synchronization
import Testing

/// Migration 005 on a database written by the version before it: refunds are rebuilt (so that a
/// refund may return only a reward) without losing a row, and a purchase recorded before rewards
/// were kept one by one is refunded as it was then.
@Suite struct RefundMigrationTests {
    @Test func oldRefundsSurviveAndAnOldRewardFollowsTheMoneyAsBefore() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("old.sqlite")
        // The schema through 003, and a purchase of 20.00 that took a 1,500-point reward, refunded by
        // 5.00 then: 1,500 × 5.00 / 20.00 = 375 points restored with it.
        let old = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(old, upTo: "003-member-care-and-till-sales")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO members (id, created_at_ms) VALUES ('s1-M1', 1);
                INSERT INTO purchases (id, till_id, transaction_id, state, member_id, fingerprint, total, points_redeemed,
                    reward_points, spend, rules_version, result, at_ms)
                    VALUES ('s1-P1', 'lane-1', 'T1', 'committed', 's1-M1', 'f', 2000, 1500, 1500, 2000, 'v', '{}', 1000);
                INSERT INTO refunds (id, till_id, refund_id, purchase_id, amount, points_reversed, points_restored, result, at_ms, spend)
                    VALUES ('s1-RF1', 'lane-1', 'R1', 's1-P1', 500, 0, 375, '{"old":true}', 2000, 500);
                INSERT INTO ledger (id, member_id, kind, points, at_ms) VALUES ('s1-L0', 's1-M1', 'adjust', 2000, 1);
                INSERT INTO ledger (id, member_id, kind, points, purchase_id, at_ms) VALUES ('s1-L1', 's1-M1', 'redeem', -1500, 's1-P1', 1000);
                INSERT INTO ledger (id, member_id, kind, points, purchase_id, refund_id, at_ms)
                    VALUES ('s1-L2', 's1-M1', 'reverse', 375, 's1-P1', 's1-RF1', 2000);
                INSERT INTO balances (member_id, points) VALUES ('s1-M1', 875);
                INSERT INTO member_totals (member_id, spend, visits) VALUES ('s1-M1', 1500, 1);
                """)
        }
        try old.close()

        let store = try LoyaltyStore(path: path, storeID: "s1")
        defer { try? store.close() }
        #expect(try store.pendingMigrations().isEmpty)
        let program = LoyaltyProgram(rules: [], rounding: .halfUp, pointValue: Money(minorUnits: 1))
        func refund(_ id: String) async throws -> (RefundOutcome, RefundSettlement?) {
            let settled = Mutex<RefundSettlement?>(nil)
            let outcome = try await store.refund(
                tillID: "lane-1", transactionID: "T1", refundID: id, scope: RefundScope(), program: program, nowMilliseconds: 3_000
            ) { settlement in
                settled.withLock { $0 = settlement }
                return "{}"
            }
            return (outcome, settled.withLock { $0 })
        }
        // The old refund is still there: a retry of it gets its first result.
        let retry = try await refund("R1")
        #expect(!retry.0.isFirstRefund)
        #expect(retry.0.result == #"{"old":true}"#)
        // The rest whole: the reward's points follow the money as they did, 1,500 − 375 = 1,125.
        let rest = try #require(try await refund("R2").1)
        #expect(rest.amount == Money(minorUnits: 1_500))
        #expect(rest.pointsRestored == Points(1_125))
        #expect(rest.balanceAfter == Points(2_000))
        #expect(try await store.verify().isClean)
    }
}
