import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import Testing

/// The promotions of issue 16, each on its worked config in config/examples, on a real SQLite
/// store: codes, free items, money off, conditions on the receipt's content, one item, flat points,
/// usage limits, category paths, separate rounding. Expected values are computed by hand in the
/// comments; where a peer's test has the scenario, it is named.
@Suite struct PromotionsAcceptanceTests {
    @Test func odooCabinetsWithTheCodeTest10pcAndUnknownCodes() async throws {
        // Odoo sale_coupon/sale_loyalty tests/test_program_numbers.py,
        // test_program_numbers_free_and_paid_product_qty: 4 large cabinets at 320.00 with "buy 3
        // cabinets, get one for free" and the code test_10pc: amount_total 864.
        let harness = try RulesHarness(example: "promo-codes")
        try await harness.enroll("P1")
        let cabinets: [RulesHarness.Line] = [("LARGE-CABINET", "furniture", "1280.00", "4")]
        // Without the code: the 4th cabinet is free (320.00), the code's rule says what it needs.
        let plain = try await harness.quote(try harness.request("P1", total: "1280.00", lines: cabinets))
        #expect(try plain.discount == harness.money("320.00"))
        #expect(plain.rules.map(\.status) == [.applied, .notApplicable, .notApplicable])
        #expect(plain.rules[1].note == "only with the code test_10pc")
        #expect(plain.codes.isEmpty)
        // With it: 10% of the 960.00 left = 96.00 → 864.00 to pay. An unknown code fails nothing.
        let coded = try await harness.quote(try harness.request("P1", total: "1280.00", lines: cabinets, codes: ["test_10pc", "NOPE"]))
        #expect(try coded.discount == harness.money("416.00"))
        #expect(try coded.payable == harness.money("864.00"))
        #expect(coded.codes == [
            CodeStatus(code: "test_10pc", status: .applied, ruleID: "code-test-10pc", note: "10% off 960.00"),
            CodeStatus(code: "NOPE", status: .unknown, ruleID: nil, note: "no promotion has this code"),
        ])
        #expect(coded.promotionUses.isEmpty, "a shared code is not used up")
        // Codes match exactly: TEST_10PC is another code.
        let upper = try await harness.quote(try harness.request("P1", total: "1280.00", lines: cabinets, codes: ["TEST_10PC"]))
        #expect(upper.codes.first?.status == .unknown)
    }

    @Test func singleUseCodesServeOneReceiptAndComeBackOnlyWithAWholeRefund() async throws {
        let harness = try RulesHarness(example: "promo-codes")
        try await harness.enroll("P2")
        try await harness.enroll("P3")
        let codes = try await harness.store.generateCodes(ruleID: "spring-voucher", count: 3, prefix: "SPRING-", nowMilliseconds: harness.now)
        #expect(codes.count == 3 && Set(codes).count == 3)
        #expect(codes.allSatisfy { $0.hasPrefix("SPRING-") && $0.count == 17 })

        // 30.00 with the first code: 5.00 off, the code used up at commit.
        let first = try await harness.commit(try harness.request("P2", "T1", total: "30.00", codes: [codes[0]]))
        #expect(try first.discount == harness.money("5.00"))
        #expect(first.codes.map(\.status) == [.applied])
        #expect(first.promotionUses == [PromotionUse(ruleID: "spring-voucher", code: codes[0])])
        // Used: another member's receipt gets nothing for it, and the quote still answers.
        let again = try await harness.quote(try harness.request("P3", total: "30.00", codes: [codes[0]]))
        #expect(again.discount == .zero)
        #expect(again.codes == [CodeStatus(code: codes[0], status: .used, ruleID: "spring-voucher", note: "already used by an earlier receipt")])
        #expect(again.rules.last?.note == "code \(codes[0]) was already used")
        // Below 20.00 a code stays unused; two codes of one rule: the first serves, the second stays.
        let small = try await harness.quote(try harness.request("P3", total: "19.99", codes: [codes[1]]))
        #expect(small.codes.first?.status == .notApplied)
        #expect(small.codes.first?.note == "not-applicable: the receipt is below 20.00")
        let two = try await harness.quote(try harness.request("P3", total: "40.00", codes: [codes[1], codes[2]]))
        #expect(try two.discount == harness.money("5.00"))
        #expect(two.codes.map(\.status) == [.applied, .notApplied])
        #expect(two.promotionUses == [PromotionUse(ruleID: "spring-voucher", code: codes[1])])

        // A partial refund keeps the code used; refunding the rest of the receipt gives it back.
        _ = try await harness.refund("T1", "R1", scope: RefundScope(amount: harness.money("10.00")))
        #expect(try await harness.quote(try harness.request("P3", total: "30.00", codes: [codes[0]])).codes.first?.status == .used)
        _ = try await harness.refund("T1", "R2")
        let back = try await harness.quote(try harness.request("P3", total: "30.00", codes: [codes[0]]))
        #expect(back.codes.first?.status == .applied)
        #expect(try back.discount == harness.money("5.00"))
        #expect(try await harness.store.verify().isClean)
    }

    @Test func freeItemsCheapestSocksAndAMugWithTheBeans() async throws {
        let harness = try RulesHarness(example: "free-items")
        try await harness.enroll("F1")
        // 4 pairs of socks (2 at 4.00, 2 at 3.00): 1 free, the cheapest, 3.00 off SOCK-B.
        // Paid 34.00 − 3.00 = 31.00 → 31 points: 8 + 3 + 20 by line.
        let socks = try await harness.quote(try harness.request("F1", total: "34.00", lines: [
            ("SOCK-A", "socks", "8.00", "2"), ("SOCK-B", "socks", "6.00", "2"), ("TSHIRT", "shirts", "20.00", "1"),
        ]))
        #expect(try socks.discount == harness.money("3.00"))
        #expect(try socks.lines.map(\.discount) == [.zero, harness.money("3.00"), .zero])
        #expect(socks.rules[0].note == "buy 3 get 1 free: 1 of socks free, 3.00")
        #expect(socks.pointsEarned == Points(31))
        #expect(socks.lines.map(\.pointsEarned) == [Points(8), Points(3), Points(20)])
        // 3 pairs are not enough.
        let three = try await harness.quote(try harness.request("F1", total: "12.00", lines: [("SOCK-A", "socks", "12.00", "3")]))
        #expect(three.discount == .zero)
        #expect(three.rules[0].note == "needs 4 units of socks, the receipt has 3")

        // A bag of beans makes one of the two mugs (10.00 for 2) free: 5.00. Paid 17.00 → 17 points.
        let mugs = try await harness.commit(try harness.request("F1", "M1", total: "22.00", lines: [
            ("COFFEE-BEANS", "coffee", "12.00", "1"), ("MUG", "kitchen", "10.00", "2"),
        ]))
        #expect(try mugs.discount == harness.money("5.00"))
        #expect(mugs.lines.map(\.pointsEarned) == [Points(12), Points(5)])
        // The mugs are returned (the line, measured before discounts as the till rang it up):
        // 10.00 refunded, the 5 points the line earned reversed, the beans' 12 stay.
        let refund = try await harness.refund("M1", "R1", scope: RefundScope(lines: [("MUG", nil)]))
        #expect(try refund.amount == harness.money("10.00"))
        #expect(refund.pointsReversed == Points(5))
        #expect(refund.balanceAfter == Points(12))

        // A till that rings each mug as its own line: the first of the equally priced mugs is the
        // free one (0 points), so returning one mug (lines are taken in receipt order) returns the
        // free one: 5.00 as rung up, no points reversed; the paid mug keeps its 5.
        let units = try await harness.commit(try harness.request("F1", "M2", total: "22.00", lines: [
            ("COFFEE-BEANS", "coffee", "12.00", "1"), ("MUG", "kitchen", "5.00", "1"), ("MUG", "kitchen", "5.00", "1"),
        ]))
        #expect(try units.lines.map(\.discount) == [.zero, harness.money("5.00"), .zero])
        #expect(units.lines.map(\.pointsEarned) == [Points(12), .zero, Points(5)])
        let freeMug = try await harness.refund("M2", "R2", scope: RefundScope(lines: [("MUG", nil)]))
        #expect(try freeMug.amount == harness.money("5.00"))
        #expect(freeMug.pointsReversed == .zero)
    }

    @Test func aFreeCoffeeOnTheNextPurchaseIfTheReceiptHoldsOne() async throws {
        // Odoo's "next order" coupons (sale_loyalty/pos_loyalty auto_promo_program_next, applies_on
        // future) with a product reward: here 30.00 earns one free cup of coffee within 14 days.
        let harness = try RulesHarness(example: "free-items")
        try await harness.enroll("N1")
        let earning = try await harness.commit(try harness.request("N1", "E1", total: "30.00", lines: [("TSHIRT", "shirts", "30.00", "1")]))
        #expect(earning.couponsIssued.map(\.ruleID) == ["next-coffee-free"])
        #expect(earning.couponsIssued.first?.percent == Percentage(millionths: 0))
        // A receipt without a cup keeps the coupon.
        let noCup = try await harness.commit(try harness.request("N1", "E2", total: "12.00", lines: [("COFFEE-BEANS", "coffee", "12.00", "1")]))
        #expect(noCup.couponApplied == nil)
        #expect(noCup.rules.first { $0.id == "next-coffee-free" }?.note.hasSuffix("kept for a later receipt: no SKU COFFEE-CUP on this one") == true)
        // Two cups at 3.50 (7.00) and a croissant: one cup free (3.50); paid 5.50 → 6 points (half-up).
        let cups = try await harness.commit(try harness.request("N1", "E3", total: "9.00", lines: [
            ("COFFEE-CUP", "coffee", "7.00", "2"), ("CROISSANT", "bakery", "2.00", "1"),
        ]))
        #expect(try cups.discount == harness.money("3.50"))
        #expect(cups.couponApplied != nil)
        #expect(cups.pointsEarned == Points(6))
        // Used once.
        let again = try await harness.quote(try harness.request("N1", total: "3.50", lines: [("COFFEE-CUP", "coffee", "3.50", "1")]))
        #expect(again.discount == .zero)
    }

    @Test func pointsBuyTenPercentOffAndPayInBlocks() async throws {
        // Odoo loyalty rewards of reward_type discount that cost required_points (sale_loyalty
        // TestSaleCouponNumbersCommon's "10% on orders"), here bought with 150 points at the till.
        let harness = try RulesHarness(example: "points-rewards")
        try await harness.enroll("W1")
        // 100.00 at 5% with a point worth 0.01 → 500 points.
        #expect(try await harness.commit(try harness.request("W1", "T1", total: "100.00")).pointsEarned == Points(500))
        // 40.00 with TEN-OFF: 150 points, 10% = 4.00 off. Spendable for payment: 500 − 150 = 350,
        // in blocks of 100 → 300; paying 200 (2.00) leaves 34.00 → 5% = 1.70 = 170 points.
        await #expect(throws: StoreError.quote(.redemptionNotInBlocks(requested: Points(150), block: Points(100), redeemable: Points(300)))) {
            _ = try await harness.quote(try harness.request("W1", total: "40.00", redeem: 150, rewards: ["TEN-OFF"]))
        }
        let quote = try await harness.commit(try harness.request("W1", "T2", total: "40.00", redeem: 200, rewards: ["TEN-OFF"]))
        #expect(try quote.discount == harness.money("4.00"))
        #expect(try quote.rewards.map(\.discount) == [harness.money("4.00")])
        #expect(try quote.rules.first == AppliedRule(
            id: "TEN-OFF", type: "reward", status: .applied, discount: harness.money("4.00"), note: "150 points for 10% off 40.00"))
        #expect(quote.pointsRedeemable == Points(300))
        #expect(try quote.payable == harness.money("34.00"))
        #expect(quote.pointsEarned == Points(170))
        #expect(quote.balanceAfter == Points(500 - 150 - 200 + 170))
        // Twice on one receipt is refused; a whole refund gives back the reward's and the paid points.
        await #expect(throws: StoreError.quote(.rewardOncePerReceipt("TEN-OFF"))) {
            _ = try await harness.quote(try harness.request("W1", total: "40.00", rewards: ["TEN-OFF", "TEN-OFF"]))
        }
        let refund = try await harness.refund("T2", "R1")
        #expect(refund.pointsRestored == Points(350))
        #expect(refund.pointsReversed == Points(170))
        #expect(refund.balanceAfter == Points(500))
    }

    @Test func moneyOffOver100SpreadByLargestRemainderAndACappedPercentage() async throws {
        let harness = try RulesHarness(example: "money-off")
        try await harness.enroll("M1")
        // Wine 20% of 100.00 = 20.00, cut to max_amount 15.00. Then 10.00 off (120.00 ≥ 100.00)
        // over what remains, 85.00 and 20.00: 1000 × 8500/10500 = 809.52, 1000 × 2000/10500 = 190.48
        // → 809 + 190 = 999; the larger remainder (wine) gets the last cent: 8.10 and 1.90.
        let quote = try await harness.quote(try harness.request("M1", total: "120.00", lines: [
            ("WINE-1", "wine", "100.00", "1"), ("CHEESE", "cheese", "20.00", "1"),
        ]))
        #expect(try quote.rules.map(\.discount) == [harness.money("15.00"), harness.money("10.00")])
        #expect(quote.rules[0].note == "20% off 100.00, cut to the rule's max_amount")
        #expect(try quote.lines.map(\.discount) == [harness.money("23.10"), harness.money("1.90")])
        #expect(try quote.payable == harness.money("95.00"))
        // 99.99: no money off, and why.
        let below = try await harness.quote(try harness.request("M1", total: "99.99"))
        #expect(below.discount == .zero)
        #expect(below.rules[1].note == "the receipt is below 100.00")
    }

    @Test func conditionsOnQuantityOnAnSKUHeldAndOnTheSelectedLinesAmount() async throws {
        let harness = try RulesHarness(example: "cart-conditions")
        try await harness.enroll("C1")
        // 5 yoghurts, crisps without beer, cheese at 29.99: nothing, each rule saying why.
        let short = try await harness.quote(try harness.request("C1", total: "35.49", lines: [
            ("YOG", "yoghurt", "3.00", "5"), ("CRISPS", "snacks", "2.50", "1"), ("CHEESE-1", "cheese", "29.99", "1"),
        ]))
        #expect(short.discount == .zero)
        #expect(short.rules.map(\.note) == [
            "needs 6 of yoghurt (the receipt has 5)", "the receipt holds no SKU BEER-05", "cheese add up to 29.99, below 30.00",
        ])
        // 6 yoghurts (3.60) → 0.36; beer on the receipt → 1.00 off crisps; cheese 30.00 → 1.50.
        let full = try await harness.quote(try harness.request("C1", total: "37.30", lines: [
            ("YOG", "yoghurt", "3.60", "6"), ("CRISPS", "snacks", "2.50", "1"), ("BEER-05", "beer", "1.20", "1"),
            ("CHEESE-1", "cheese", "30.00", "1"),
        ]))
        #expect(try full.rules.map(\.discount) == [harness.money("0.36"), harness.money("1.00"), harness.money("1.50")])
        #expect(try full.discount == harness.money("2.86"))
        #expect(try full.lines.map(\.discount) == [harness.money("0.36"), harness.money("1.00"), .zero, harness.money("1.50")])
    }

    @Test func discountOnTheCheapestItemAndOnTheMostExpensiveToy() async throws {
        // Odoo pos_loyalty tests/test_frontend.py, "Auto Promo Program - Cheapest Product": 90% off
        // the cheapest product of the order.
        let harness = try RulesHarness(example: "cheapest-item", start: "2026-01-07T12:00:00Z")  // a Wednesday
        try await harness.enroll("T1")
        let lines: [RulesHarness.Line] = [
            ("PEN", "office", "1.20", "3"), ("BOARD", "office", "25.00", "1"), ("TOY-CAR", "toys", "12.00", "1"),
            ("TOY-TRAIN", "toys", "40.00", "1"),
        ]
        // The cheapest item is one pen at 0.40: 90% = 0.36. The toy rule waits for Saturday.
        let wednesday = try await harness.quote(try harness.request("T1", total: "78.20", lines: lines))
        #expect(try wednesday.discount == harness.money("0.36"))
        #expect(wednesday.rules[0].note == "90% off the cheapest item, SKU PEN at 0.40")
        #expect(wednesday.rules[1].note == "only on sat")
        // Saturday: 20% off the train (40.00) = 8.00 as well.
        harness.set("2026-01-10T12:00:00Z")
        let saturday = try await harness.quote(try harness.request("T1", total: "78.20", lines: lines))
        #expect(try saturday.discount == harness.money("8.36"))
        #expect(try saturday.lines.map(\.discount) == [harness.money("0.36"), .zero, .zero, harness.money("8.00")])
    }

    @Test func flatPointsPerVisitAndTheirRefund() async throws {
        let harness = try RulesHarness(example: "visit-points")
        try await harness.enroll("V1")
        // 3.50: 50 for the visit + 3.5 → 4 (half-up) = 54; 0.00 (a free coffee): still 50.
        let visit = try await harness.commit(try harness.request("V1", "V1", total: "3.50"))
        #expect(visit.pointsEarned == Points(54))
        #expect(visit.rules.map(\.note) == ["50 points per purchase", "1 per 1.00 of 3.50 paid"])
        #expect(try await harness.quote(try harness.request("V1", total: "0.00")).pointsEarned == Points(50))
        // Refunded whole: all 54 back.
        #expect(try await harness.refund("V1", "R1").pointsReversed == Points(54))
    }

    @Test func usageLimitPerMemberComesBackOnlyWithAWholeRefund() async throws {
        let harness = try RulesHarness(example: "usage-limits")
        try await harness.enroll("U1")
        try await harness.enroll("U2")
        let first = try await harness.commit(try harness.request("U1", "T1", total: "60.00"))
        #expect(try first.discount == harness.money("15.00"))
        #expect(first.promotionUses == [PromotionUse(ruleID: "opening-offer", code: nil)])
        // Once per member: U1's next receipt gets nothing, U2's gets it.
        let second = try await harness.quote(try harness.request("U1", total: "60.00"))
        #expect(second.discount == .zero)
        #expect(second.rules[0].note == "the member used it 1 of 1 times")
        #expect(try await harness.quote(try harness.request("U2", total: "60.00")).discount == harness.money("15.00"))
        // A partial refund keeps the use; a whole refund gives it back.
        _ = try await harness.refund("T1", "R1", scope: RefundScope(amount: harness.money("20.00")))
        #expect(try await harness.quote(try harness.request("U1", total: "60.00")).discount == .zero)
        _ = try await harness.refund("T1", "R2")
        #expect(try await harness.quote(try harness.request("U1", total: "60.00")).discount == harness.money("15.00"))
    }

    @Test func categoryPatternsSelectEveryCategoryBelow() async throws {
        let harness = try RulesHarness(example: "category-tree")
        try await harness.enroll("K1")
        // food/dairy/* takes food/dairy and food/dairy/cheese/soft (12.00 → 1.20), not food/dairyfree;
        // food/bakery takes itself only (3.00 → 0.15), not food/bakery/sweet.
        let quote = try await harness.quote(try harness.request("K1", total: "21.00", lines: [
            ("MILK", "food/dairy", "2.00", "1"), ("BRIE", "food/dairy/cheese/soft", "10.00", "1"),
            ("OAT-DRINK", "food/dairyfree", "5.00", "1"), ("BREAD", "food/bakery", "3.00", "1"), ("BUN", "food/bakery/sweet", "1.00", "1"),
        ]))
        #expect(try quote.rules.map(\.discount) == [harness.money("1.20"), harness.money("0.15")])
        #expect(try quote.lines.map(\.discount) == [
            harness.money("0.20"), harness.money("1.00"), .zero, harness.money("0.15"), .zero,
        ])
    }

    @Test func erpnextTruncatesPointsWhileMoneyRoundsHalfUp() async throws {
        // ERPNext accounts/doctype/loyalty_program/test_loyalty_program.py,
        // test_loyalty_points_earned_single_tier: collection factor 1000, conversion factor 1; an
        // invoice of 10000 earns cint(10000 / 1000) = 10; the next one, paying those 10 points,
        // earns cint(9990 / 1000) = 9 (half-up would give 10).
        let harness = try RulesHarness(example: "points-rounding")
        try await harness.enroll("E1")
        #expect(try await harness.commit(try harness.request("E1", "I1", total: "10000.00")).pointsEarned == Points(10))
        let redeeming = try await harness.commit(try harness.request("E1", "I2", total: "10000.00", redeem: 10))
        #expect(try redeeming.redeemedValue == harness.money("10.00"))
        #expect(redeeming.pointsEarned == Points(9))
        // A refund of half of I2 reverses 9 × 5000/10000 = 4.5 → 4 points (down), not 5.
        #expect(try await harness.refund("I2", "R1", scope: RefundScope(amount: harness.money("5000.00"))).pointsReversed == Points(4))
    }
}
