import GRDB
import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import Testing

/// Edge cases a store owner would call wrong, on the newsagent of config/examples/kiosk.yaml (5%
/// points at 0.01 a point; a 10% coupon for 20.00 of goods that may earn; tobacco kept out of
/// earning, discounts and payment with points; a pen for 90 points), on a real SQLite store.
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
        #expect(try used.discount == harness.money("1.00"))
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
        // 20.00 of books and 10.00 of cigarettes: exactly 20.00 may earn → a coupon (100 points on
        // the books). K5 buys the same basket.
        try await harness.enroll("K5")
        let basket = [line(Self.book, "20.00"), line(Self.cigarettes, "10.00")]
        #expect(try await harness.commit(try harness.request("K2", "T3", total: "30.00", lines: basket)).couponsIssued.count == 1)
        let same = try await harness.commit(try harness.request("K5", "T4", total: "30.00", lines: basket))
        #expect(same.couponsIssued.count == 1)
        #expect(same.pointsEarned == Points(100))

        // T3: the cigarettes come back; the 20.00 of books still reach the threshold: the coupon stands.
        let cigarettes = try await harness.refund("T3", "R1", scope: RefundScope(lines: [("CIG", nil)]))
        #expect(cigarettes.couponsCancelled.isEmpty)
        #expect(cigarettes.pointsReversed == .zero)
        #expect(try await harness.view("K2").coupons.count == 1)
        // T4: 5.00 back by amount is spread 20:10 → 3.33 of the books, 1.67 of the cigarettes; 16.67 of
        // books remain, below 20.00: cancelled (before: kept, as 25.00 of the receipt remained).
        // The books earned 100 points: 100 × 3.33 / 20.00 = 16.65 → 17 reversed.
        let amount = try await harness.refund("T4", "R2", scope: RefundScope(amount: harness.money("5.00")))
        #expect(amount.couponsCancelled.count == 1)
        #expect(amount.pointsReversed == Points(17))
        #expect(try await harness.view("K5").coupons.isEmpty)
    }

    @Test func returningTheGroceriesDoesNotGiveBackTheGiftsPoints() async throws {
        let harness = try RulesHarness(example: "kiosk")
        try await harness.enroll("K3")
        // 19.00 of books: 95 points, no coupon (below 20.00).
        try await harness.commit(try harness.request("K3", "T1", total: "19.00", lines: [line(Self.book, "19.00")]))
        // 30.00 of books, 10.00 of sweets and the pen for 90 points: 5% of 40.00 = 200 points
        // (150 on the books, 50 on the sweets); 95 − 90 + 200 = 205.
        let purchase = try await harness.commit(try harness.request(
            "K3", "T2", total: "40.00", lines: [line(Self.book, "30.00"), ("SWEET", "sweets", "10.00", "1")], rewards: ["GIFT-PEN"]))
        #expect(purchase.rewardPoints == Points(90))
        #expect(purchase.lines.map(\.pointsEarned) == [Points(150), Points(50)])
        #expect(purchase.balanceAfter == Points(205))

        // The sweets come back: their 50 points are reversed and nothing is restored (before:
        // 90 × 10.00 / 40.00 = 22.5 → 23 of the pen's points). 30.00 of books still hold the coupon.
        let sweets = try await harness.refund("T2", "R1", scope: RefundScope(lines: [("SWEET", nil)]))
        #expect(sweets.pointsReversed == Points(50))
        #expect(sweets.pointsRestored == .zero)
        #expect(sweets.couponsCancelled.isEmpty)
        #expect(sweets.balanceAfter == Points(155))
        // 5.00 by amount, all of it on the books: 150 × 5.00 / 30.00 = 25 reversed; still nothing restored.
        let partial = try await harness.refund("T2", "R2", scope: RefundScope(amount: harness.money("5.00")))
        #expect(partial.pointsReversed == Points(25))
        #expect(partial.pointsRestored == .zero)
        #expect(partial.balanceAfter == Points(130))
        // The pen itself, named by its SKU: no money, its 90 points back.
        let pen = try await harness.refund("T2", "R3", scope: RefundScope(lines: [("GIFT-PEN", nil)]))
        #expect(pen.amount == .zero)
        #expect(pen.pointsRestored == Points(90))
        #expect(try pen.remaining == harness.money("25.00"))
        #expect(pen.balanceAfter == Points(220))
        await #expect(throws: StoreError.refundLinesUnknown("the reward GIFT-PEN was already returned")) {
            _ = try await harness.refund("T2", "R4", scope: RefundScope(lines: [("GIFT-PEN", nil)]))
        }
        // The rest whole: 125 reversed; the member is back at T1's 95 and the coupon is cancelled.
        let rest = try await harness.refund("T2", "R5")
        #expect(rest.pointsReversed == Points(125))
        #expect(rest.pointsRestored == .zero)
        #expect(rest.couponsCancelled.count == 1)
        #expect(rest.balanceAfter == Points(95))
        #expect(try await harness.store.verify().isClean)
    }

    @Test func aWholeRefundGivesTheGiftBackWithTheMoney() async throws {
        let harness = try RulesHarness(example: "kiosk")
        try await harness.enroll("K4")
        try await harness.commit(try harness.request("K4", "T1", total: "19.00", lines: [line(Self.book, "19.00")]))
        // 10.00 of sweets and the pen: 95 − 90 + 50 = 55.
        try await harness.commit(try harness.request("K4", "T2", total: "10.00", lines: [("SWEET", "sweets", "10.00", "1")], rewards: ["GIFT-PEN"]))
        // Everything back: 50 reversed, 90 restored → 95.
        let whole = try await harness.refund("T2", "R1")
        #expect(whole.pointsReversed == Points(50))
        #expect(whole.pointsRestored == Points(90))
        #expect(whole.balanceAfter == Points(95))
        #expect(try await harness.view("K4").balance == Points(95))
    }
}
