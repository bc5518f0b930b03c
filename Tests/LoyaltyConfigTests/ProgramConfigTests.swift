import Foundation
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyTestSupport
import Testing

/// The program section: every worked example loads, and each kind of mistake is reported with
/// its file, line and key path.
@Suite struct ProgramConfigTests {
    @Test(arguments: [
        "restaurant", "bookshop", "grocer", "shop", "every-mechanism", "kiosk", "promo-codes", "free-items", "money-off",
        "cart-conditions", "cheapest-item", "visit-points", "usage-limits", "category-tree", "points-rounding", "points-rewards", "chain-campaign",
    ])
    func everyWorkedExampleIsValid(name: String) throws {
        let configuration = try ConfigLoader.load(path: "\(RulesHarness.examples)/\(name).yaml")
        #expect(!configuration.program.rules.isEmpty)
    }

    let head = """
        store:
          id: s1
          time_zone: Europe/Berlin
        currency:
          code: EUR
        program:

        """

    func problem(_ program: String) -> String {
        do {
            _ = try ConfigLoader.parse(head + program, file: "p.yaml")
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test func mistakesNameTheirLineAndKey() {
        #expect(problem("  rules:\n    - id: a\n      type: discount\n      percent: \"5\"\n      percnt: \"6\"\n")
            == "p.yaml:11: program.rules[0].percnt: unknown key (known keys here: id, type, when, group, enabled, categories, skus, percent, percent_by_tier, percent_by_spend, applies_to, max_amount)")
        #expect(problem("  rules:\n    - id: a\n      type: discount\n      percent_by_tier: {gold: \"5\"}\n")
            == "p.yaml:10: program.rules[0].percent_by_tier: the program has no tiers (program.tiers)")
        #expect(problem("  tiers:\n    basis: visits\n    levels:\n      - {name: gold, from: 10}\n  rules:\n    - id: a\n      type: discount\n      percent_by_tier: {platinum: \"5\"}\n")
            .hasPrefix("p.yaml:14: program.rules[0].percent_by_tier.platinum: no tier \"platinum\""))
        #expect(problem("  rules:\n    - id: a\n      type: points\n      earn_percent: \"3\"\n      when:\n        hours: \"25:00-26:00\"\n")
            .hasPrefix("p.yaml:12: program.rules[0].when.hours: \"25:00-26:00\" is not a time range"))
        #expect(problem("  rules:\n    - id: a\n      type: coupon\n      percent: \"20\"\n      min_total: \"1000.00\"\n")
            == "p.yaml:8: program.rules[0].valid_days: required key is missing")
        #expect(problem("  rules:\n    - id: a\n      type: discount\n      percent: \"5\"\n      group: promo\n")
            .contains("program.rules[0].group: no stacking group \"promo\""))
        #expect(problem("  points_expiry:\n    after_days: 0\n") == "p.yaml:8: program.points_expiry.after_days: \"0\" is not a whole number between 1 and 36500")
        #expect(problem("  rules:\n    - id: a\n      type: discount\n      percent: \"5.0000001\"\n").contains("has more than 6 decimals"))
        #expect(problem("  rules:\n    - id: a\n      type: lottery\n").contains("unknown rule type \"lottery\""))
        #expect(problem("  refunds:\n    reward_points: always\n")
            == "p.yaml:8: program.refunds.reward_points: \"always\" is not one of when-returned, with-money")
    }

    /// The promotions of issue 16: every mistake names its line and key.
    @Test func promotionMistakesNameTheirLineAndKey() {
        let rule = "  rules:\n    - id: a\n"
        #expect(problem(rule + "      type: free-items\n      buy: 3\n      free: 1\n")
            == "p.yaml:8: program.rules[0]: a free-items rule names the categories or skus it counts")
        #expect(problem(rule + "      type: free-items\n      skus: [A]\n      buy: 0\n      free: 1\n")
            == "p.yaml:11: program.rules[0].buy: \"0\" is not a whole number between 1 and 1000")
        #expect(problem(rule + "      type: free-items\n      skus: [A]\n      buy: 2\n")
            == "p.yaml:8: program.rules[0].free: required key is missing")
        #expect(problem(rule + "      type: money-off\n      amount: \"0.00\"\n")
            == "p.yaml:10: program.rules[0].amount: an amount greater than zero is required")
        #expect(problem(rule + "      type: money-off\n      amount: \"1.001\"\n").hasPrefix("p.yaml:10: program.rules[0].amount: "))
        #expect(problem(rule + "      type: discount\n      percent: \"5\"\n      applies_to: cheapest-two\n")
            == "p.yaml:11: program.rules[0].applies_to: \"cheapest-two\" is not one of lines, cheapest, most-expensive")
        #expect(problem(rule + "      type: discount\n      percent: \"5\"\n      when:\n        code: \"A\\u0007B\"\n")
            == "p.yaml:12: program.rules[0].when.code: code: holds the control character U+0007; only printable text is accepted")
        #expect(problem(rule + "      type: discount\n      percent: \"5\"\n      when:\n        code: X\n        single_use_codes: true\n")
            == "p.yaml:13: program.rules[0].when.single_use_codes: give a shared code or single-use codes, not both")
        #expect(problem(rule + "      type: coupon\n      percent: \"5\"\n      min_total: \"10.00\"\n      valid_days: 5\n      when:\n        max_uses: 3\n")
            == "p.yaml:14: program.rules[0].when: codes and usage limits are for discount, money-off, free-items and points rules")
        #expect(problem(rule + "      type: discount\n      percent: \"5\"\n      when:\n        max_uses_per_member: 0\n")
            == "p.yaml:12: program.rules[0].when.max_uses_per_member: \"0\" is not a whole number between 1 and 1000000")
        #expect(problem(rule + "      type: discount\n      percent: \"5\"\n      when:\n        min_quantity: \"two\"\n")
            == "p.yaml:12: program.rules[0].when.min_quantity: \"two\" is not a quantity like \"6\" or \"1.5\"")
        #expect(problem(rule + "      type: discount\n      percent: \"5\"\n      categories: [\"dairy*\"]\n")
            == "p.yaml:11: program.rules[0].categories[0]: \"dairy*\": a category pattern ends in /* after a category, as in dairy/*")
        #expect(problem(rule + "      type: points\n      points_per_purchase: 50\n      earn_percent: \"1\"\n")
            == "p.yaml:10: program.rules[0].points_per_purchase: give points_per_purchase alone, without points_per_amount or an earn_percent")
        #expect(problem(rule + "      type: coupon\n      percent: \"5\"\n      free_skus: [CUP]\n      min_total: \"10.00\"\n      valid_days: 5\n")
            == "p.yaml:10: program.rules[0].percent: a coupon gives a percent or free items, not both")
        #expect(problem("  points_rounding: up\n") == "p.yaml:7: program.points_rounding: \"up\" is not one of down, half-up, half-even")
    }

    /// Issue 16, item 11: the same program file in two stores of a chain gives each its own rules.
    @Test func rulesLimitedToStoresApplyOnlyThere() throws {
        let text = try String(contentsOfFile: "\(RulesHarness.examples)/chain-campaign.yaml", encoding: .utf8)
        let lisbon = try ConfigLoader.parse(text, file: "c.yaml").program
        let faro = try ConfigLoader.parse(text.replacingOccurrences(of: "id: lisbon-01", with: "id: faro-01"), file: "c.yaml").program
        let request = PurchaseRequest(tillID: "t", transactionID: "x", member: .id("m"), total: Money(minorUnits: 10_000))
        let at = Timestamp.milliseconds(parsing: "2026-03-05T12:00:00Z") ?? 0
        let inLisbon = try lisbon.quote(request, member: MemberState(id: "m"), nowMilliseconds: at)
        let inFaro = try faro.quote(request, member: MemberState(id: "m"), nowMilliseconds: at)
        // Lisbon: 15% of 100.00 = 15.00 off, 85 points at 1 per 1.00. Faro: no discount, 500 + 100 points.
        #expect(inLisbon.discount == Money(minorUnits: 1_500))
        #expect(inLisbon.pointsEarned == Points(85))
        #expect(inLisbon.rules[1].note == "only in stores faro-01 (this is lisbon-01)")
        #expect(inFaro.discount == .zero)
        #expect(inFaro.pointsEarned == Points(600))
        #expect(lisbon.version != faro.version, "the effective rules differ, and so does the version")
        #expect(problem("  rules:\n    - id: a\n      type: discount\n      percent: \"5\"\n      when:\n        stores: [\"lisbon 01\"]\n")
            == "p.yaml:12: program.rules[0].when.stores[0]: \"lisbon 01\" is not a store id (1 to 32 letters, digits, '_' or '-')")
    }

    /// Issue 16's expiry policy: at the end of the store's day instead of the instant N × 24 h later.
    @Test func pointsMayExpireAtTheEndOfTheStoresDay() throws {
        let instant = try ConfigLoader.parse(head + "  points_expiry:\n    after_days: 10\n", file: "p.yaml").program
        let endOfDay = try ConfigLoader.parse(head + "  points_expiry:\n    after_days: 10\n    at: end-of-day\n", file: "p.yaml").program
        // Earned 13:00 in Berlin on 1 January: the instant is 11 January 12:00 UTC; the end of that
        // Berlin day is midnight at +01:00, 23:00 UTC.
        let earned = Timestamp.milliseconds(parsing: "2026-01-01T12:00:00Z") ?? 0
        #expect(instant.policies.expiry.expiry(ofPointsEarnedAt: earned) == Timestamp.milliseconds(parsing: "2026-01-11T12:00:00Z"))
        #expect(endOfDay.policies.expiry.expiry(ofPointsEarnedAt: earned) == Timestamp.milliseconds(parsing: "2026-01-11T23:00:00Z"))
        // Across the change to summer time (29 March 2026): midnight at +02:00 is 22:00 UTC.
        let spring = Timestamp.milliseconds(parsing: "2026-03-19T12:00:00Z") ?? 0
        #expect(endOfDay.policies.expiry.expiry(ofPointsEarnedAt: spring) == Timestamp.milliseconds(parsing: "2026-03-29T22:00:00Z"))
        #expect(instant.version != endOfDay.version)
        #expect(problem("  points_expiry:\n    after_days: 10\n    at: midnight\n")
            == "p.yaml:9: program.points_expiry.at: \"midnight\" is not one of instant, end-of-day")
    }

    @Test func rewardPointsComeBackWithTheRewardUnlessTheProgramSaysWithTheMoney() throws {
        let plain = try ConfigLoader.parse(head + "  rules: []\n", file: "p.yaml").program
        let withMoney = try ConfigLoader.parse(head + "  refunds:\n    reward_points: with-money\n", file: "p.yaml").program
        #expect(plain.policies.rewardRefunds == .whenReturned)
        #expect(withMoney.policies.rewardRefunds == .withMoney)
        #expect(plain.version != withMoney.version)
    }

    /// SKUs and categories in the config are checked as a till's are: a value no till can send is
    /// refused where it stands, not kept as a rule that never matches.
    @Test func skusAndCategoriesAreCheckedAsTheTillsAre() {
        #expect(problem("  rules:\n    - id: a\n      type: discount\n      percent: \"5\"\n      skus: [\"A\\u001B1\"]\n")
            == "p.yaml:11: program.rules[0].skus[0]: sku: holds the control character U+001B; only printable text is accepted")
        #expect(problem("  rules:\n    - id: a\n      type: discount\n      percent: \"5\"\n      categories: [\"\"]\n")
            == "p.yaml:11: program.rules[0].categories[0]: category must not be empty")
        #expect(problem("  rules:\n    - id: a\n      type: discount\n      percent: \"5\"\n      categories: [\"Getränke 🍺\"]\n") == "accepted")
    }

    @Test func theRulesVersionFollowsEveryPolicy() throws {
        let base = try ConfigLoader.parse(head + "  rules: []\n", file: "p.yaml").program.version
        let expiring = try ConfigLoader.parse(head + "  points_expiry:\n    after_days: 30\n", file: "p.yaml").program.version
        let capped = try ConfigLoader.parse(head + "  redemption:\n    max_share_percent: \"30\"\n", file: "p.yaml").program.version
        #expect(Set([base, expiring, capped]).count == 3)
    }
}
