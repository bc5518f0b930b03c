import LoyaltyDomain
import Testing

/// The refund planner on purchases built by hand; every expected value is worked out in the comment.
@Suite struct RefundPlanTests {
    static func program(
        rounding: RoundingMode = .halfUp, rewards: RewardRefundPolicy = .whenReturned, spent: SpentPointsPolicy = .allowNegative
    ) -> LoyaltyProgram {
        LoyaltyProgram(
            rules: [], rounding: rounding, pointValue: Money(minorUnits: 1),
            policies: ProgramPolicies(spentPoints: spent, rewardRefunds: rewards))
    }

    let member = MemberState(id: "m", ledgerBalance: Points(10_000), credited: Points(10_000))

    func money(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits) }

    /// Food 60.00 (180 points) and 40.00 (120 points), with a mug taken for 1,500 points.
    var groceriesAndMug: RefundablePurchase {
        RefundablePurchase(
            total: money(10_000), pointsEarned: Points(300), pointsPaid: .zero, spend: money(10_000),
            lines: [
                .init(sku: "F1", amount: money(6_000), pointsEarned: Points(180)),
                .init(sku: "F2", amount: money(4_000), pointsEarned: Points(120)),
            ],
            rewards: [.init(sku: "GIFT-MUG", quantity: 1, points: Points(1_500))])
    }

    func plan(_ purchase: RefundablePurchase, _ scope: RefundScope = RefundScope(), program: LoyaltyProgram = Self.program()) throws -> RefundPlan {
        try RefundPlan(purchase: purchase, scope: scope, member: member, program: program)
    }

    @Test func refundingInAnyPartsReturnsExactlyTheWholeAndNeverMore() throws {
        let splits: [[Int64]] = [[1, 1, 1], [3333, 3333, 3334], [1, 9999], [5000, 5000], [7, 13, 17, 9963]]
        for points: Int64 in [0, 1, 2, 285, 1_000_003] {
            for split in splits {
                let basis = money(split.reduce(0, +))
                var purchase = RefundablePurchase(total: basis, pointsEarned: Points(points), pointsPaid: Points(points / 3), spend: basis)
                var reversed = Points.zero
                var spend = Money.zero
                for part in split {
                    let step = try plan(purchase, RefundScope(amount: money(part)))
                    reversed += step.pointsReversed
                    spend += step.spend
                    purchase = purchase.after(step)
                    #expect(reversed <= Points(points))
                    #expect(purchase.pointsRestored <= Points(points / 3))
                }
                #expect(reversed == Points(points), "split \(split) of \(points) points")
                #expect(purchase.pointsRestored == Points(points / 3))
                #expect(spend == basis)
                #expect(purchase.remaining == .zero)
            }
        }
    }

    @Test func aHalfRefundReturnsHalfRoundedByTheNamedMode() throws {
        // 285 × 50.00 / 100.00 = 142.5: half-up 143, down 142, half-even 142.
        let purchase = RefundablePurchase(total: money(10_000), pointsEarned: Points(285), pointsPaid: .zero, spend: money(10_000))
        let half = { (mode: RoundingMode) in
            try self.plan(purchase, RefundScope(amount: self.money(5_000)), program: Self.program(rounding: mode)).pointsReversed
        }
        #expect(try half(.halfUp) == Points(143))
        #expect(try half(.down) == Points(142))
        #expect(try half(.halfEven) == Points(142))
    }

    @Test func returningTheGroceriesKeepsTheMugsPointsSpentUntilTheMugComesBack() throws {
        // F1 by line: 60.00 back, its 180 points reversed, nothing restored: the mug was not returned.
        let first = try plan(groceriesAndMug, RefundScope(lines: [("F1", nil)]))
        #expect(first.amount == money(6_000))
        #expect(first.lineAmounts == [money(6_000), .zero])
        #expect(first.pointsReversed == Points(180))
        #expect(first.pointsRestored == .zero)
        #expect(first.rewardsReturned.isEmpty)
        #expect(first.balanceAfter == Points(10_000 - 180))
        // The other 40.00 by amount: all the money is back (the visit with it), the mug still is not.
        var purchase = groceriesAndMug.after(first)
        let second = try plan(purchase, RefundScope(amount: money(4_000)))
        #expect(second.pointsReversed == Points(120))
        #expect(second.pointsRestored == .zero)
        #expect(second.remaining == .zero)
        #expect(second.takesVisitBack)
        // The mug, named by its SKU, comes back without money: its 1,500 points are restored.
        purchase = purchase.after(second)
        let mug = try plan(purchase, RefundScope(lines: [("GIFT-MUG", nil)]))
        #expect(mug.amount == .zero)
        #expect(mug.rewardsReturned == [0])
        #expect(mug.pointsRestored == Points(1_500))
        #expect(mug.pointsReversed == .zero)
        #expect(!mug.takesVisitBack, "the visit went with the money")
        // Not twice; and then nothing at all is left.
        purchase = purchase.after(mug)
        #expect(throws: RefundError.linesUnknown("the reward GIFT-MUG was already returned")) {
            try self.plan(purchase, RefundScope(lines: [("GIFT-MUG", nil)]))
        }
        #expect(throws: RefundError.exceedsPurchase(remaining: .zero)) { try self.plan(purchase) }
    }

    @Test func aWholeRefundReturnsTheMugWithTheMoney() throws {
        let whole = try plan(groceriesAndMug)
        #expect(whole.amount == money(10_000))
        #expect(whole.pointsReversed == Points(300))
        #expect(whole.pointsRestored == Points(1_500))
        #expect(whole.rewardsReturned == [0])
        #expect(whole.balanceAfter == Points(10_000 - 300 + 1_500))
        // The same money asked for as an amount is not a whole refund: the mug stays with the customer.
        #expect(try plan(groceriesAndMug, RefundScope(amount: money(10_000))).pointsRestored == .zero)
    }

    @Test func pointsPaidFollowTheMoneyAndRewardPointsFollowThePolicy() throws {
        // 100.00 with 200 points paid and the mug (1,500). A quarter refunded: 200 × 25% = 50 restored;
        // with-money (the old behaviour) restores a quarter of both: 1,700 × 25% = 425.
        var purchase = groceriesAndMug
        purchase.pointsPaid = Points(200)
        let quarter = RefundScope(amount: money(2_500))
        #expect(try plan(purchase, quarter).pointsRestored == Points(50))
        #expect(try plan(purchase, quarter, program: Self.program(rewards: .withMoney)).pointsRestored == Points(425))
        // With with-money the mug cannot be named: it is no line of the receipt.
        #expect(throws: RefundError.linesUnknown("nothing left to refund of SKU GIFT-MUG for that amount")) {
            try self.plan(purchase, RefundScope(lines: [("GIFT-MUG", nil)]), program: Self.program(rewards: .withMoney))
        }
    }

    @Test func neverRestoresMoreThanThePurchaseTookWhenThePolicyChangesBetweenRefunds() throws {
        // Half refunded under with-money: 1,700 × 50% = 850 restored. Then, under when-returned, the
        // rest whole: 100 of the points paid + the mug's 1,500 would be 1,600, but only 1,700 − 850 = 850
        // were not given back yet.
        var purchase = groceriesAndMug
        purchase.pointsPaid = Points(200)
        let half = try plan(purchase, RefundScope(amount: money(5_000)), program: Self.program(rewards: .withMoney))
        #expect(half.pointsRestored == Points(850))
        let rest = try plan(purchase.after(half))
        #expect(rest.pointsRestored == Points(850))
    }

    @Test func aRewardIsReturnedWholeAndOnlyByItsOwnName() throws {
        #expect(throws: RefundError.linesUnknown("GIFT-MUG is a reward taken for points: it is returned whole, without an amount")) {
            try self.plan(self.groceriesAndMug, RefundScope(lines: [("GIFT-MUG", self.money(100))]))
        }
        // A purchase without receipt lines can still give its reward back, but no other SKU.
        let lineless = RefundablePurchase(
            total: money(1_000), pointsEarned: Points(10), pointsPaid: .zero, spend: money(1_000),
            rewards: [.init(sku: "GIFT-MUG", quantity: 2, points: Points(3_000))])
        #expect(try plan(lineless, RefundScope(lines: [("GIFT-MUG", nil)])).pointsRestored == Points(3_000))
        #expect(throws: RefundError.linesUnknown("the purchase was committed without lines")) {
            try self.plan(lineless, RefundScope(lines: [("F1", nil)]))
        }
    }

    @Test func aCouponStandsWhileTheLinesThatMayEarnStillReachItsThreshold() throws {
        // Books 1,000.00 and cigarettes 100.00 (kept out of earning): the coupon's threshold of
        // 1,000.00 was met by the books alone.
        let purchase = RefundablePurchase(
            total: money(110_000), pointsEarned: Points(3_000), pointsPaid: .zero, spend: money(110_000),
            lines: [
                .init(sku: "BOOKS", amount: money(100_000), pointsEarned: Points(3_000)),
                .init(sku: "CIG", amount: money(10_000), pointsEarned: .zero, excludedFromEarning: true),
            ],
            couponsIssued: [.init(id: "C1", minimumTotal: money(100_000))])
        // Returning the cigarettes leaves the books: the coupon stands.
        let cigarettes = try plan(purchase, RefundScope(lines: [("CIG", nil)]))
        #expect(cigarettes.couponsCancelled.isEmpty)
        #expect(cigarettes.pointsReversed == .zero)
        // Returning 0.01 of the books leaves 999.99 that may earn (1,099.99 in all): cancelled.
        #expect(try plan(purchase, RefundScope(lines: [("BOOKS", money(1))])).couponsCancelled == ["C1"])
        // 100.00 by amount: 90.91 of the books and 9.09 of the cigarettes (in proportion) → 909.09 left.
        let amount = try plan(purchase, RefundScope(amount: money(10_000)))
        #expect(amount.lineAmounts == [money(9_091), money(909)])
        #expect(amount.couponsCancelled == ["C1"])
    }

    @Test func expiredPointsGoFirstAndReduceRefundForgivesWhatWasSpent() throws {
        // Credited 500, balance 120 (380 debited). A due lot credited through 450 has 450 − 380 = 70
        // left: 70 expire, 50 remain. A whole refund of a purchase that earned 370 can take back only
        // those 50 under reduce-refund; 320 are forgiven and the balance ends at 0.
        let member = MemberState(
            id: "m", ledgerBalance: Points(120), credited: Points(500),
            dueLots: [PointLot(id: "L1", points: Points(200), creditedThrough: Points(450), expiresAtMilliseconds: 0)])
        let purchase = RefundablePurchase(total: money(30_000), pointsEarned: Points(370), pointsPaid: .zero, spend: money(27_000))
        let reduce = try RefundPlan(purchase: purchase, scope: RefundScope(), member: member, program: Self.program(spent: .reduceRefund))
        #expect(reduce.pointsExpired == Points(70))
        #expect(reduce.expiredLots.map(\.lotID) == ["L1"])
        #expect(reduce.pointsReversed == Points(50))
        #expect(reduce.pointsForgiven == Points(320))
        #expect(reduce.balanceAfter == .zero)
        #expect(reduce.spend == money(27_000))
        // allow-negative takes all 370 back: 50 − 370 = −320.
        let negative = try RefundPlan(purchase: purchase, scope: RefundScope(), member: member, program: Self.program())
        #expect(negative.pointsReversed == Points(370))
        #expect(negative.balanceAfter == Points(-320))
    }

    @Test func moreThanRemainsIsRefused() throws {
        let purchase = groceriesAndMug.after(try plan(groceriesAndMug, RefundScope(amount: money(7_000))))
        #expect(throws: RefundError.exceedsPurchase(remaining: money(3_000))) {
            try self.plan(purchase, RefundScope(amount: self.money(3_001)))
        }
        // 70.00 took 42.00 of F1 and 28.00 of F2 (in proportion): 18.00 of F1 is left, not 18.01.
        #expect(try plan(purchase, RefundScope(lines: [("F1", money(1_800))])).amount == money(1_800))
        #expect(throws: RefundError.linesUnknown("nothing left to refund of SKU F1 for that amount")) {
            try self.plan(purchase, RefundScope(lines: [("F1", self.money(1_801))]))
        }
    }
}

extension RefundablePurchase {
    /// The purchase as the store reads it back once `plan` is written.
    func after(_ plan: RefundPlan) -> RefundablePurchase {
        var next = self
        next.refunded += plan.amount
        next.pointsRestored += plan.pointsRestored
        for index in lines.indices { next.lines[index].refunded += plan.lineAmounts[index] }
        for index in plan.rewardsReturned { next.rewards[index].isReturned = true }
        next.couponsIssued.removeAll { plan.couponsCancelled.contains($0.id) }
        return next
    }
}
