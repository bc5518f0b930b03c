import LoyaltyDomain
import PropertyBased
import Testing

/// Invariants of the rules engine over generated receipts and members.
@Suite struct ProgramPropertyTests {
    static func program(discounts: [Int], earn: Int, cap: Int, rounding: RoundingMode) throws -> LoyaltyProgram {
        var rules: [any PricingRule] = discounts.enumerated().map { index, percent in
            DiscountRule.fixed(id: "d\(index)", percent: Percentage(millionths: Int64(percent) * Percentage.scale))
        }
        rules.append(PointsRule.percent(id: "p", Percentage(millionths: Int64(earn) * 250_000)))
        rules.append(PointsMultiplierRule(id: "x", multiplier: try Multiplier(parsing: "1.5"), lines: LineSelector(categories: ["promo"])))
        var policies = ProgramPolicies()
        policies.maximumDiscount = Percentage(millionths: Int64(cap) * Percentage.scale)
        policies.exclusions = [LineExclusion(lines: LineSelector(categories: ["tobacco"]), scopes: [.earning, .discount, .pointsPayment])]
        policies.redemption.maximumShare = Percentage(millionths: 30 * Percentage.scale)
        return LoyaltyProgram(rules: rules, rounding: rounding, pointValue: Money(minorUnits: 1), policies: policies)
    }

    static let categories = [nil, "food", "promo", "tobacco"]

    @Test func discountNeverExceedsTheTotalPayableIsNeverNegativeAndTheSameInputGivesTheSameQuote() async {
        await propertyCheck(
            count: 300, input: Gen.int(in: 0...100).array(of: 0...3), Gen.int(in: 0...100_000).array(of: 0...6),
            Gen.int(in: 0...100), Gen.int(in: 0...1_000_000)
        ) { discounts, amounts, cap, balance in
            let program = try Self.program(discounts: discounts, earn: discounts.count * 7, cap: cap, rounding: .halfUp)
            let lines = amounts.enumerated().map { index, amount in
                ReceiptLine(sku: "S\(index)", category: Self.categories[index % 4], quantity: "1", amount: Money(minorUnits: Int64(amount)))
            }
            let total = Money(minorUnits: Int64(amounts.reduce(0, +)))
            let member = MemberState(id: "m", ledgerBalance: Points(Int64(balance)))
            var request = PurchaseRequest(tillID: "t", transactionID: "x", member: .id("m"), total: total, lines: lines)
            let plain = try program.quote(request, member: member, nowMilliseconds: 0)
            request.redeemPoints = plain.pointsRedeemable
            let quote = try program.quote(request, member: member, nowMilliseconds: 0)
            #expect(quote.discount >= .zero && quote.discount <= quote.total)
            #expect(quote.discount <= Percentage(millionths: Int64(cap) * Percentage.scale).of(total, rounding: .down))
            #expect(quote.payable >= .zero)
            #expect(quote.total == quote.discount + quote.redeemedValue + quote.payable)
            #expect(quote.redeemedValue <= Percentage(millionths: 30 * Percentage.scale).of(total, rounding: .down))
            #expect(quote.lines.reduce(Points.zero) { $0 + $1.pointsEarned } == quote.pointsEarned)
            #expect(quote.lines.filter { $0.sku.hasPrefix("S") && Self.categories[Int($0.sku.dropFirst())! % 4] == "tobacco" }
                .allSatisfy { $0.discount == .zero && $0.pointsEarned == .zero && $0.pointsPayment == .zero })
            #expect(try program.quote(request, member: member, nowMilliseconds: 0) == quote)
        }
    }

    /// The promotions of issue 16 (free items, money off, one item, flat points, codes) keep the
    /// invariants: no line is discounted below zero, nothing excluded is discounted, each rule stays
    /// within its own cap, quote = quote again, and a refund in parts returns exactly the whole.
    static func promotions(moneyOff: Int, cap: Int) throws -> LoyaltyProgram {
        var coded = RuleConditions()
        coded.code = "SAVE"
        let rules: [any PricingRule] = [
            FreeItemsRule(id: "free", buy: 2, free: 1, lines: LineSelector(categories: ["promo"]), maximumAmount: Money(minorUnits: 5_000)),
            FreeItemsRule(id: "mug", buy: 1, free: 1, lines: LineSelector(categories: ["food"]), rewardLines: LineSelector(categories: ["promo"])),
            DiscountRule(id: "cheap", rate: .fixed(Percentage(millionths: 50 * Percentage.scale)), target: .cheapest, maximumAmount: Money(minorUnits: Int64(cap))),
            MoneyOffRule(id: "off", amount: Money(minorUnits: Int64(moneyOff)), conditions: coded),
            PointsRule(id: "visit", earning: .perPurchase(Points(50))),
            PointsRule.percent(id: "p", Percentage(millionths: 3 * Percentage.scale)),
        ]
        var policies = ProgramPolicies()
        policies.exclusions = [LineExclusion(lines: LineSelector(categories: ["tobacco"]), scopes: [.earning, .discount, .pointsPayment])]
        return LoyaltyProgram(rules: rules, rounding: .halfUp, pointsRounding: .down, pointValue: Money(minorUnits: 1), policies: policies)
    }

    @Test func promotionsNeverDiscountMoreThanEligibleAndRefundToTheWhole() async {
        await propertyCheck(
            count: 300, input: Gen.int(in: 0...50_000).array(of: 1...6), Gen.int(in: 1...5).array(of: 6...6),
            Gen.int(in: 1...20_000), Gen.int(in: 1...3_000), Gen.bool
        ) { amounts, quantities, moneyOff, cap, withCode in
            let program = try Self.promotions(moneyOff: moneyOff, cap: cap)
            let lines = amounts.enumerated().map { index, amount in
                ReceiptLine(
                    sku: "S\(index)", category: Self.categories[index % 4], quantity: String(quantities[index]),
                    amount: Money(minorUnits: Int64(amount)))
            }
            let total = Money(minorUnits: Int64(amounts.reduce(0, +)))
            let request = PurchaseRequest(
                tillID: "t", transactionID: "x", member: .id("m"), total: total, lines: lines, codes: withCode ? ["SAVE", "OTHER"] : [])
            let quote = try program.quote(request, member: MemberState(id: "m"), nowMilliseconds: 0)
            let eligible = lines.filter { $0.category != "tobacco" }.reduce(Money.zero) { $0 + $1.amount }
            #expect(quote.discount >= .zero && quote.discount <= eligible)
            #expect(zip(quote.lines, lines).allSatisfy { $0.discount >= .zero && $0.discount <= $1.amount })
            #expect(zip(quote.lines, lines).allSatisfy { $1.category != "tobacco" || $0.discount == .zero })
            #expect(quote.total == quote.discount + quote.redeemedValue + quote.payable)
            #expect(quote.rules.first { $0.id == "free" }.map { $0.discount <= Money(minorUnits: 5_000) } ?? false)
            #expect(quote.rules.first { $0.id == "cheap" }.map { $0.discount <= Money(minorUnits: Int64(cap)) } ?? false)
            #expect(quote.rules.first { $0.id == "off" }.map { $0.discount <= Money(minorUnits: Int64(moneyOff)) } ?? false)
            #expect(quote.rules.reduce(Money.zero) { $0 + $1.discount } == quote.discount)
            #expect(quote.codes.map(\.status) == (withCode ? [quote.rules[3].status == .applied ? .applied : .notApplied, .unknown] : []))
            #expect(try program.quote(request, member: MemberState(id: "m"), nowMilliseconds: 0) == quote)

            // Refunded in two halves by amount: exactly the points earned come back, never more.
            var purchase = RefundablePurchase(
                total: quote.total, pointsEarned: quote.pointsEarned, pointsPaid: .zero, spend: quote.spend,
                lines: zip(quote.lines, lines).map { .init(sku: $1.sku, amount: $1.amount, pointsEarned: $0.pointsEarned) })
            var reversed = Points.zero
            for part in [Money(minorUnits: total.minorUnits / 2), total - Money(minorUnits: total.minorUnits / 2)] where part > .zero {
                let plan = try RefundPlan(purchase: purchase, scope: RefundScope(amount: part), member: MemberState(id: "m"), program: program)
                reversed += plan.pointsReversed
                purchase.refunded += plan.amount
                for index in purchase.lines.indices { purchase.lines[index].refunded += plan.lineAmounts[index] }
                #expect(plan.returnsPromotionUses == (purchase.remaining == .zero))
            }
            #expect(total == .zero || reversed == quote.pointsEarned)
        }
    }

    @Test func allocationAlwaysAddsUpToTheWhole() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...1_000_000), Gen.int(in: 0...10_000).array(of: 1...8)) { amount, weights in
            let parts = Allocation.split(Int64(amount), weights: weights.map(Int64.init))
            #expect(parts.reduce(0, +) == Int64(amount))
            #expect(parts.allSatisfy { $0 >= 0 })
        }
    }

    @Test func refundsInAnyPartsReturnExactlyTheWholeAndNeverMore() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...1_000_000), Gen.int(in: 2...50_000).array(of: 1...6)) { points, parts in
            // Two lines of about half each; the refund is asked for in amounts.
            let basis = Money(minorUnits: Int64(parts.reduce(0, +)))
            let first = Money(minorUnits: basis.minorUnits / 2)
            let earnedFirst = Points(Int64(points) / 3)
            var purchase = RefundablePurchase(
                total: basis, pointsEarned: Points(Int64(points)), pointsPaid: Points(Int64(points) / 2), spend: basis,
                lines: [
                    .init(sku: "A", amount: first, pointsEarned: earnedFirst),
                    .init(sku: "B", amount: basis - first, pointsEarned: Points(Int64(points)) - earnedFirst),
                ])
            let program = LoyaltyProgram(rules: [], rounding: .halfEven, pointValue: Money(minorUnits: 1))
            let member = MemberState(id: "m")
            var reversed = Points.zero
            var spend = Money.zero
            for part in parts {
                let plan = try RefundPlan(
                    purchase: purchase, scope: RefundScope(amount: Money(minorUnits: Int64(part))), member: member, program: program)
                reversed += plan.pointsReversed
                spend += plan.spend
                purchase.refunded += plan.amount
                purchase.pointsRestored += plan.pointsRestored
                for index in purchase.lines.indices { purchase.lines[index].refunded += plan.lineAmounts[index] }
                #expect(reversed <= Points(Int64(points)))
                #expect(purchase.pointsRestored <= purchase.pointsPaid)
            }
            #expect(reversed == Points(Int64(points)))
            #expect(purchase.pointsRestored == purchase.pointsPaid)
            #expect(spend == basis)
            #expect(purchase.lines.allSatisfy { $0.refunded == $0.amount })
        }
    }

    @Test func expiryNeverTakesMoreThanIsLeftOrThanTheLotGave() async {
        await propertyCheck(count: 300, input: Gen.int(in: 1...1_000).array(of: 1...6), Gen.int(in: 0...3_000)) { lots, spent in
            var credited: Int64 = 0
            let pointLots = lots.enumerated().map { index, points in
                credited += Int64(points)
                return PointLot(id: "L\(index)", points: Points(Int64(points)), creditedThrough: Points(credited), expiresAtMilliseconds: Int64(index))
            }
            let balance = credited - Int64(min(spent, Int(credited)))
            let member = MemberState(id: "m", ledgerBalance: Points(balance), credited: Points(credited), dueLots: pointLots)
            let expiring = PointsExpiryPolicy.expiring(member)
            let total = expiring.reduce(Int64(0)) { $0 + $1.points.value }
            #expect(total == balance, "every lot is due, so all that is left expires")
            #expect(zip(expiring, pointLots).allSatisfy { $0.points >= .zero && $0.points <= $1.points })
        }
    }
}
