import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import Testing

/// The acceptance examples of the rules issue, each on its worked config in config/examples, on a
/// real SQLite store, with the clock moved by the test. Expected values are computed by hand in
/// the comments.
@Suite struct RulesAcceptanceTests {
    @Test func restaurantLevelsFollowVisitsInTheLast365Days() async throws {
        let harness = try RulesHarness(example: "restaurant", start: "2026-01-01T12:00:00Z")
        try await harness.enroll("R1")
        // 55 visits on days 0…54, 10.00 each.
        for visit in 0..<55 {
            try await harness.commit(try harness.request("R1", "V\(visit)", total: "10.00"))
            harness.advance(days: 1)
        }
        // Day 60: 55 visits in the window → silver, 10% of 100.00.
        harness.advance(days: 5)
        var quote = try await harness.quote(try harness.request("R1", total: "100.00"))
        #expect(quote.tier == "silver")
        #expect(try quote.discount == harness.money("10.00"))
        // Day 380: the window starts at day 16 → visits of days 16…54 = 39 → bronze, 5%.
        harness.advance(days: 320)
        quote = try await harness.quote(try harness.request("R1", total: "100.00"))
        #expect(quote.tier == "bronze")
        #expect(try quote.discount == harness.money("5.00"))
        #expect(try await harness.view("R1").tier == "bronze", "a lookup sees the downgrade too")
        // Day 400: from day 36 → 19 visits → below bronze: no discount, and the quote says why.
        harness.advance(days: 20)
        quote = try await harness.quote(try harness.request("R1", total: "100.00"))
        #expect(quote.tier == nil)
        #expect(quote.discount == .zero)
        #expect(quote.rules.first?.status == .gaveNothing || quote.rules.first?.status == .notApplicable)
        #expect(quote.rules.first?.note == "the member has no tier yet")
    }

    @Test func bookshopCouponIsEarnedAppliedOnceAndExpires() async throws {
        let harness = try RulesHarness(example: "bookshop")
        try await harness.enroll("B1")
        // 999.99 earns nothing; 1,000.00 earns 20% for 30 days.
        #expect(try await harness.commit(try harness.request("B1", "T1", total: "999.99")).couponsIssued.isEmpty)
        let earning = try await harness.commit(try harness.request("B1", "T2", total: "1000.00"))
        #expect(earning.couponsIssued.count == 1)
        #expect(earning.couponsIssued.first?.percent == Percentage(millionths: 20_000_000))
        #expect(earning.couponsIssued.first?.expiresAtMilliseconds == harness.now + 30 * 86_400_000)
        #expect(try await harness.view("B1").coupons.count == 1)

        // Ten days later: 250.00 → 20% = 50.00 off, the coupon used at commit, once.
        harness.advance(days: 10)
        let next = try await harness.commit(try harness.request("B1", "T3", total: "250.00"))
        #expect(try next.discount == harness.money("50.00"))
        #expect(next.couponApplied != nil)
        let after = try await harness.quote(try harness.request("B1", total: "250.00"))
        #expect(after.discount == .zero)
        #expect(after.couponApplied == nil)
    }

    @Test func bookshopCouponLapsesAfter30DaysAndIsCancelledByARefund() async throws {
        let harness = try RulesHarness(example: "bookshop")
        try await harness.enroll("B2")
        try await harness.enroll("B3")
        try await harness.commit(try harness.request("B2", "E1", total: "1200.00"))
        try await harness.commit(try harness.request("B3", "E2", total: "1200.00"))
        // B3's purchase is refunded by 250.00: 950.00 remains, below 1,000.00 → coupon cancelled.
        let refund = try await harness.refund("E2", "R1", scope: RefundScope(amount: harness.money("250.00")))
        #expect(refund.couponsCancelled.count == 1)
        #expect(try await harness.quote(try harness.request("B3", total: "100.00")).discount == .zero)
        // Day 29 the coupon still applies; day 31 it has lapsed.
        harness.advance(days: 29)
        #expect(try await harness.quote(try harness.request("B2", total: "100.00")).discount == harness.money("20.00"))
        harness.advance(days: 2)
        #expect(try await harness.quote(try harness.request("B2", total: "100.00")).discount == .zero)
    }

    @Test func grocerEarnsByAccumulatedSpendExcludesTobaccoCapsPaymentAndExpires() async throws {
        let harness = try RulesHarness(example: "grocer", start: "2026-01-01T09:00:00Z")
        try await harness.enroll("G1")
        // Day 0: 9,500.00 at 3% → 285 points (a point is 1.00).
        #expect(try await harness.commit(try harness.request("G1", "T1", total: "9500.00")).pointsEarned == Points(285))
        // Day 10: 900.00 of food and 100.00 of tobacco: 3% of 900.00 = 27; tobacco earns nothing.
        harness.advance(days: 10)
        let mixed = try await harness.commit(try harness.request(
            "G1", "T2", total: "1000.00", lines: [("F1", "food", "900.00", "1"), ("C1", "tobacco", "100.00", "1")]))
        #expect(mixed.pointsEarned == Points(27))
        #expect(mixed.lines.map(\.pointsEarned) == [Points(27), .zero])
        // Spend is now 10,500.00 → 5%. Points pay at most 30% of 1,000.00 = 300 of the 312 held.
        harness.advance(days: 10)
        await #expect(throws: StoreError.quote(.redemptionTooLarge(requested: Points(301), redeemable: Points(300)))) {
            _ = try await harness.quote(try harness.request("G1", total: "1000.00", redeem: 301))
        }
        // Day 20: 1,000.00 paying 100 points: 900.00 paid at 5% → 45 points.
        let paid = try await harness.commit(try harness.request("G1", "T3", total: "1000.00", redeem: 100))
        #expect(paid.pointsEarned == Points(45))
        #expect(try await harness.view("G1").balance == Points(285 + 27 - 100 + 45))
        // Day 366: the day-0 lot (285) expires, less the 100 spent from it first → 185 expire.
        harness.advance(days: 346)
        #expect(try await harness.view("G1").balance == Points(257 - 185))
        let late = try await harness.commit(try harness.request("G1", "T4", total: "10.00"))
        #expect(late.pointsExpired == Points(185))
        #expect(late.balanceBefore == Points(72))
        // Day 376: the day-10 lot (27) is all left of it → expires whole.
        harness.advance(days: 10)
        #expect(try await harness.view("G1").balance == Points(72 + late.pointsEarned.value - 27))
        #expect(try await harness.store.verify().isClean)
    }

    @Test func shopDoublesPointsInTheBirthdayWeekByTheStoresCalendar() async throws {
        let harness = try RulesHarness(example: "shop")
        try await harness.enroll("S1", birthday: "1990-06-15")
        // 100.00: 5% off → 95.00 paid; 2% = 1.90 = 190 points; ×2 in the birthday week → 380.
        harness.set("2026-06-12T22:30:00Z")  // 00:30 on 13 June in Berlin: two days before
        #expect(try await harness.quote(try harness.request("S1", total: "100.00")).pointsEarned == Points(380))
        harness.set("2026-06-11T21:59:00Z")  // 23:59 on 11 June in Berlin: four days before
        let outside = try await harness.quote(try harness.request("S1", total: "100.00"))
        #expect(outside.pointsEarned == Points(190))
        #expect(try outside.discount == harness.money("5.00"))
        #expect(outside.rules.last?.status == .notApplicable)
        harness.set("2026-06-18T21:59:00Z")  // 23:59 on 18 June: three days after
        #expect(try await harness.quote(try harness.request("S1", total: "100.00")).pointsEarned == Points(380))
        harness.set("2026-06-18T22:00:00Z")  // 00:00 on 19 June: over
        #expect(try await harness.quote(try harness.request("S1", total: "100.00")).pointsEarned == Points(190))
    }

    @Test func everyOtherMechanismOnTheShowcaseProgram() async throws {
        let harness = try RulesHarness(example: "every-mechanism", start: "2026-12-05T10:30:00Z")  // Saturday 11:30 in Berlin
        // Enrolment: 500 welcome points, pending for 14 days.
        try await harness.enroll("M1")
        let view = try await harness.view("M1")
        #expect(view.balance == Points(500))
        #expect(view.spendable == .zero)
        #expect(view.pending == Points(500))

        // First purchase, 200.00 of bakery on a December Saturday at 11:30: the campaign (10%) and
        // the big basket (8%) are in a best-of group → 10% = 20.00. 180.00 paid → 180 base points;
        // ×3 on bakery → +360; first-purchase bonus 200.
        let first = try await harness.commit(try harness.request("M1", "T1", total: "200.00", lines: [("BR", "bakery", "200.00", "1")]))
        #expect(try first.discount == harness.money("20.00"))
        #expect(first.rules.first { $0.id == "big-basket" }?.status == .notChosen)
        #expect(first.pointsEarned == Points(180 + 360 + 200))
        // Staff get 20% but the program caps all discounts at 25%: 20% + 10% would be 28.00 of 100.00 → 25.00.
        try await harness.enroll("STAFF", group: "staff")
        let staff = try await harness.quote(try harness.request("STAFF", total: "100.00"))
        #expect(try staff.discount == harness.money("25.00"))
        // Tobacco is kept out of discounts, earning and payment with points.
        harness.advance(days: 15)  // the points are spendable now
        let tobacco = try await harness.quote(try harness.request(
            "M1", total: "50.00", lines: [("CIG", "tobacco", "50.00", "1")]))
        #expect(tobacco.discount == .zero)
        #expect(tobacco.pointsEarned == .zero)
        #expect(tobacco.pointsRedeemable == .zero)
        // A reward: the mug for 1,500 points of the 1,240 held is refused; after earning more it is taken.
        await #expect(throws: StoreError.quote(.rewardsTooExpensive(cost: Points(1_500), spendable: Points(1_240)))) {
            _ = try await harness.quote(try harness.request("M1", total: "10.00", rewards: ["GIFT-MUG"]))
        }
        // Sunday 20 December, 11:30: 300.00 on coffee (2 packs): the campaign takes 10% → 270 base
        // points + 100 item points = 370.
        try await harness.commit(try harness.request("M1", "T2", total: "300.00", lines: [("4006381333931", "coffee", "300.00", "2")]))
        harness.advance(days: 15)
        let mug = try await harness.commit(try harness.request("M1", "T3", total: "10.00", rewards: ["GIFT-MUG"]))
        #expect(mug.rewardPoints == Points(1_500))
        #expect(mug.balanceAfter == Points(1_240 + 370 - 1_500 + 10))

        // reduce-refund: refunding T2 should take back 370 points, but only 120 are left.
        let refund = try await harness.refund("T2", "R1")
        #expect(refund.pointsReversed == Points(120))
        #expect(refund.pointsForgiven == Points(250))
        #expect(refund.balanceAfter == .zero)
        #expect(refund.spentPointsPolicy == .reduceRefund)
        #expect(try await harness.store.verify().isClean)
    }
}
