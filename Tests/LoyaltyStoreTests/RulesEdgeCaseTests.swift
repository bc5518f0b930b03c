import GRDB
import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import Testing

/// Edge cases a store owner would call wrong, on the newsagent of config/examples/kiosk.yaml (5%
/// points at 0.01 a point; a 10% coupon for 20.00 of goods that may earn; tobacco kept out of
/// earning, discounts and payment with points), on a real SQLite store.
/// Expected values are computed by hand in the comments.
@Suite struct RulesEdgeCaseTests {
    static let book = (sku: "BOOK", category: Optional("books"))
    static let cigarettes = (sku: "CIG", category: Optional("tobacco"))

    func line(_ item: (sku: String, category: String?), _ amount: String) -> RulesHarness.Line {
        (item.sku, item.category, amount, "1")
    }

    /// Coupon states by id, from the database itself.
    func couponStates(_ harness: RulesHarness) async throws -> [String] {
        let database = try DatabaseQueue(path: harness.store.path)
        defer { try? database.close() }
        return try await database.read { db in try String.fetchAll(db, sql: "SELECT state FROM coupons ORDER BY issued_at_ms, id") }
    }

    @Test func aCouponIsUsedUpOnlyByAReceiptItTakesSomethingOff() async throws {
        let harness = try RulesHarness(example: "kiosk")
        try await harness.enroll("K1")
        // 25.00 of books: 5% = 1.25 = 125 points, and 25.00 ≥ 20.00 earns the coupon.
        let earning = try await harness.commit(try harness.request("K1", "T1", total: "25.00", lines: [line(Self.book, "25.00")]))
        #expect(earning.pointsEarned == Points(125))
        #expect(earning.couponsIssued.count == 1)

        // Next day, 8.00 of cigarettes alone: nothing the coupon may discount → no discount, and the
        // member keeps the coupon (before: marked used with 0.00 off).
        harness.advance(days: 1)
        let tobacco = try await harness.commit(try harness.request("K1", "T2", total: "8.00", lines: [line(Self.cigarettes, "8.00")]))
        #expect(tobacco.discount == .zero)
        #expect(tobacco.couponApplied == nil)
        let entry = try #require(tobacco.rules.first { $0.id == "next-visit-10" })
        #expect(entry.status == .gaveNothing)
        #expect(entry.note.contains("kept for a later receipt"))
        #expect(try await harness.view("K1").coupons.count == 1)

        // A receipt of 0.00 leaves it too.
        let zero = try await harness.commit(try harness.request("K1", "T3", total: "0.00"))
        #expect(zero.couponApplied == nil)
        #expect(try await couponStates(harness) == ["active"])

        // 10.00 of newspapers and 8.00 of cigarettes: 10% of the 10.00 = 1.00 off, the coupon is used;
        // 9.00 paid on the newspapers earns 5% = 45 points; 10.00 may earn, below 20.00: no new coupon.
        let used = try await harness.commit(try harness.request(
            "K1", "T4", total: "18.00", lines: [("NEWS", "press", "10.00", "1"), line(Self.cigarettes, "8.00")]))
        #expect(used.discount == harness.money("1.00"))
        #expect(used.couponApplied != nil)
        #expect(used.pointsEarned == Points(45))
        #expect(used.couponsIssued.isEmpty)
        #expect(try await harness.view("K1").coupons.isEmpty)
        #expect(try await couponStates(harness) == ["used"])
    }

    @Test func goodsKeptOutOfEarningDoNotEarnACouponNorKeepOne() async throws {
        let harness = try RulesHarness(example: "kiosk")
        try await harness.enroll("K2")
        // 30.00 of cigarettes: no points and no coupon (before: a coupon, 30.00 ≥ 20.00).
        let tobacco = try await harness.commit(try harness.request("K2", "T1", total: "30.00", lines: [line(Self.cigarettes, "30.00")]))
        #expect(tobacco.pointsEarned == .zero)
        #expect(tobacco.couponsIssued.isEmpty)
        // 15.00 of books and 10.00 of cigarettes: 15.00 may earn (75 points), below 20.00: no coupon.
        let mixed = try await harness.commit(try harness.request(
            "K2", "T2", total: "25.00", lines: [line(Self.book, "15.00"), line(Self.cigarettes, "10.00")]))
        #expect(mixed.pointsEarned == Points(75))
        #expect(mixed.couponsIssued.isEmpty)
        // 20.00 of books and 10.00 of cigarettes: exactly 20.00 may earn → a coupon.
        let basket = [line(Self.book, "20.00"), line(Self.cigarettes, "10.00")]
        #expect(try await harness.commit(try harness.request("K2", "T3", total: "30.00", lines: basket)).couponsIssued.count == 1)
    }
}
