import LoyaltyDomain
import Testing

@Suite struct LoyaltyProgramTests {
    let member = MemberState(id: "s-1", ledgerBalance: Points(1_000))

    func program(discount: String? = "5", earn: String? = "3", pointValue: Int64 = 1, rounding: RoundingMode = .halfUp) throws -> LoyaltyProgram {
        var rules: [any PricingRule] = []
        if let earn { rules.append(PointsRule.percent(id: "points", try Percentage(parsing: earn))) }
        if let discount { rules.append(DiscountRule.fixed(id: "discount", percent: try Percentage(parsing: discount))) }
        return LoyaltyProgram(rules: rules, rounding: rounding, pointValue: Money(minorUnits: pointValue))
    }

    func request(total: Int64, redeem: Int64 = 0) -> PurchaseRequest {
        PurchaseRequest(tillID: "t", transactionID: "x", member: .id("s-1"), total: Money(minorUnits: total), redeemPoints: Points(redeem))
    }

    @Test func discountComesBeforeEarningAndEarningIsOnWhatIsPaid() throws {
        // 100.00: 5% off = 5.00, pays 95.00; 3% of 95.00 = 2.85 = 285 points at 0.01 a point.
        let quote = try program().quote(request(total: 10_000), member: member, nowMilliseconds: 0)
        #expect(quote.discount == Money(minorUnits: 500))
        #expect(quote.payable == Money(minorUnits: 9_500))
        #expect(quote.pointsEarned == Points(285))
        #expect(quote.rules.map(\.id) == ["discount", "points"], "discount rules run first whatever their configured order")
        #expect(quote.balanceAfter == Points(1_285))
    }

    @Test func redeemedPointsPayBeforeEarningAndEarnNothing() throws {
        // 100.00 - 5.00 discount = 95.00; 500 points × 0.01 = 5.00 → pays 90.00 → 270 points.
        let quote = try program().quote(request(total: 10_000, redeem: 500), member: member, nowMilliseconds: 0)
        #expect(quote.redeemedValue == Money(minorUnits: 500))
        #expect(quote.payable == Money(minorUnits: 9_000))
        #expect(quote.pointsEarned == Points(270))
        #expect(quote.balanceAfter == Points(1_000 - 500 + 270))
    }

    @Test func cannotRedeemMoreThanTheBalanceOrThePayable() throws {
        let program = try program()
        #expect(throws: QuoteError.redemptionTooLarge(requested: Points(1_001), redeemable: Points(1_000))) {
            try program.quote(request(total: 100_000, redeem: 1_001), member: member, nowMilliseconds: 0)
        }
        // 10.00 - 0.50 discount = 9.50 payable = at most 950 points.
        #expect(throws: QuoteError.redemptionTooLarge(requested: Points(951), redeemable: Points(950))) {
            try program.quote(request(total: 1_000, redeem: 951), member: member, nowMilliseconds: 0)
        }
        #expect(try program.quote(request(total: 1_000, redeem: 950), member: member, nowMilliseconds: 0).payable == .zero)
    }

    /// Issue 16, item 6: redemption in blocks (Odoo's rewards that cost required_points each).
    @Test func pointsAreRedeemedInWholeBlocks() throws {
        var policies = ProgramPolicies()
        policies.redemption.blockSize = Points(100)
        let program = LoyaltyProgram(rules: [], rounding: .halfUp, pointValue: Money(minorUnits: 1), policies: policies)
        // 12.34 payable at 0.01 a point: 1,234 affordable, 1,000 held → 1,000, a whole number of blocks.
        #expect(try program.quote(request(total: 1_234), member: member, nowMilliseconds: 0).pointsRedeemable == Points(1_000))
        // 9.99: 999 affordable → 900 in blocks of 100.
        #expect(try program.quote(request(total: 999), member: member, nowMilliseconds: 0).pointsRedeemable == Points(900))
        #expect(throws: QuoteError.redemptionNotInBlocks(requested: Points(150), block: Points(100), redeemable: Points(900))) {
            try program.quote(request(total: 999, redeem: 150), member: member, nowMilliseconds: 0)
        }
        #expect(throws: QuoteError.redemptionTooLarge(requested: Points(1_000), redeemable: Points(900))) {
            try program.quote(request(total: 999, redeem: 1_000), member: member, nowMilliseconds: 0)
        }
        #expect(try program.quote(request(total: 999, redeem: 900), member: member, nowMilliseconds: 0).payable == Money(minorUnits: 99))
        #expect(program.version != LoyaltyProgram(rules: [], rounding: .halfUp, pointValue: Money(minorUnits: 1)).version)
    }

    /// The tier policy `including-receipt`, with the numbers of ERPNext's test_loyalty_program.py
    /// test_tier_selection (Bronze 0, Silver 10000, Gold 20000): (spent before, receipt) → tier.
    @Test(arguments: [
        (0, 6_000, "bronze"), (0, 15_000, "silver"), (0, 25_000, "gold"), (4_000, 500, "bronze"), (8_000, 3_000, "silver"),
        (18_000, 3_000, "gold"), (22_000, 5_000, "gold"),
    ])
    func theTierReachedIncludingTheReceipt(spent: Int64, receipt: Int64, expected: String) throws {
        let levels = [("bronze", 0), ("silver", 10_000), ("gold", 20_000)].map { TierLadder.Level(name: $0.0, threshold: Int64($0.1) * 100) }
        let rate = RateSchedule.byTier(["bronze": Percentage(millionths: 0), "silver": Percentage(millionths: 5 * Percentage.scale), "gold": Percentage(millionths: 10 * Percentage.scale)])
        var policies = ProgramPolicies()
        policies.tiers = TierLadder(basis: .spend, windowDays: nil, levels: levels, includesThisReceipt: true)
        let including = LoyaltyProgram(rules: [DiscountRule(id: "tier", rate: rate)], rounding: .halfUp, pointValue: Money(minorUnits: 1), policies: policies)
        policies.tiers?.includesThisReceipt = false
        let before = LoyaltyProgram(rules: [DiscountRule(id: "tier", rate: rate)], rounding: .halfUp, pointValue: Money(minorUnits: 1), policies: policies)
        let member = MemberState(id: "s-1", lifetimeSpend: Money(minorUnits: spent * 100), windowSpend: Money(minorUnits: spent * 100))
        let receiptRequest = request(total: receipt * 100)
        #expect(try including.quote(receiptRequest, member: member, nowMilliseconds: 0).tier == expected)
        #expect(try before.quote(receiptRequest, member: member, nowMilliseconds: 0).tier == before.policies.tiers?.level(for: member))
        #expect(including.version != before.version)
        #expect(including.view(of: member, nowMilliseconds: 0).tier == before.policies.tiers?.level(for: member), "a lookup shows the tier before")
    }

    /// The policy earned_points_pay_rewards: Odoo lets the points an order earns pay its reward;
    /// the default (ERPNext) does not.
    @Test func earnedPointsMayPayTheReceiptsOwnRewardUnderThePolicy() throws {
        var policies = ProgramPolicies()
        policies.rewards = [CatalogueReward(sku: "MUG", name: "Mug", points: Points(1_200))]
        let rules: [any PricingRule] = [PointsRule.percent(id: "points", Percentage(millionths: 3 * Percentage.scale))]
        let strict = LoyaltyProgram(rules: rules, rounding: .halfUp, pointValue: Money(minorUnits: 1), policies: policies)
        policies.redemption.earnedPointsPayRewards = true
        let odoo = LoyaltyProgram(rules: rules, rounding: .halfUp, pointValue: Money(minorUnits: 1), policies: policies)
        // 1,000 held; 100.00 earns 3% = 300: 1,300 can pay the 1,200-point mug only with the policy.
        var mug = request(total: 10_000)
        mug.rewards = [RewardRequest(sku: "MUG", quantity: 1)]
        #expect(throws: QuoteError.rewardsTooExpensive(cost: Points(1_200), spendable: Points(1_000))) {
            try strict.quote(mug, member: member, nowMilliseconds: 0)
        }
        let quote = try odoo.quote(mug, member: member, nowMilliseconds: 0)
        #expect(quote.rewardPoints == Points(1_200))
        #expect(quote.balanceAfter == Points(100))
        // 10.00 earns 30: 1,030 is still short of 1,200.
        var small = request(total: 1_000)
        small.rewards = mug.rewards
        #expect(throws: QuoteError.rewardsTooExpensive(cost: Points(1_200), spendable: Points(1_030))) {
            try odoo.quote(small, member: member, nowMilliseconds: 0)
        }
        #expect(strict.version != odoo.version)
    }

    @Test func blockedMembersGetNothing() throws {
        let blocked = MemberState(id: "s-1", status: .blocked)
        #expect(throws: QuoteError.memberBlocked) { try program().quote(request(total: 100), member: blocked, nowMilliseconds: 0) }
    }

    @Test func roundingIsTheNamedMode() throws {
        // 3% of 0.50 at 0.01 a point = 1.5 points.
        let halfUp = try program(discount: nil, rounding: .halfUp).quote(request(total: 50), member: member, nowMilliseconds: 0)
        let down = try program(discount: nil, rounding: .down).quote(request(total: 50), member: member, nowMilliseconds: 0)
        let halfEven = try program(discount: nil, rounding: .halfEven).quote(request(total: 50), member: member, nowMilliseconds: 0)
        #expect(halfUp.pointsEarned == Points(2))
        #expect(down.pointsEarned == Points(1))
        #expect(halfEven.pointsEarned == Points(2))
    }

    @Test func discountNeverExceedsTheTotalAndPayableIsNeverNegative() throws {
        let program = try program(discount: "100")
        for total: Int64 in [0, 1, 3, 99, 12_345] {
            let quote = try program.quote(request(total: total), member: member, nowMilliseconds: 0)
            #expect(quote.discount <= quote.total)
            #expect(quote.payable >= .zero)
        }
    }

    @Test func theVersionChangesWithTheRulesAndOnlyWithThem() throws {
        #expect(try program().version == program().version)
        #expect(try program().version != program(earn: "4").version)
        #expect(try program().version != program(rounding: .down).version)
        #expect(try program().version != program(pointValue: 100).version)
    }

    @Test func fingerprintsTellApartRequestsThatPrintAlike() {
        let base = request(total: 1_000)
        var first = base
        first.lines = [ReceiptLine(sku: "A|", category: nil, quantity: "1", amount: Money(minorUnits: 1_000))]
        var second = base
        second.lines = [ReceiptLine(sku: "A", category: "|", quantity: "1", amount: Money(minorUnits: 1_000))]
        #expect(first.fingerprint != second.fingerprint)
        #expect(first.fingerprint == first.fingerprint)
    }

    @Test func sameInputsGiveTheSameQuote() throws {
        let program = try program()
        let first = try program.quote(request(total: 12_345, redeem: 17), member: member, nowMilliseconds: 42)
        let second = try program.quote(request(total: 12_345, redeem: 17), member: member, nowMilliseconds: 42)
        #expect(first == second)
    }
}
