import Foundation
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyTestSupport
import Testing

/// The program section: every worked example loads, and each kind of mistake is reported with
/// its file, line and key path.
@Suite struct ProgramConfigTests {
    @Test(arguments: ["restaurant", "bookshop", "grocer", "shop", "every-mechanism", "kiosk"])
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
            == "p.yaml:11: program.rules[0].percnt: unknown key (known keys here: id, type, when, group, enabled, categories, skus, percent, percent_by_tier, percent_by_spend)")
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
