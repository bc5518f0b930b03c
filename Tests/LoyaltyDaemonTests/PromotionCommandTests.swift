import Foundation
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import Testing

/// The promotion codes through the real binary: `config check --explain` lists what each code did,
/// and `codes generate` prints and stores single-use codes that a till can then use once.
@Suite struct PromotionCommandTests {
    let examples = RulesHarness.examples

    @Test func explainListsEachCodesStatus() throws {
        let directory = try TemporaryDirectory(prefix: "loyaltyd-explain")
        defer { directory.remove() }
        let receipt = directory.file("receipt.json")
        try #"{"at": "2026-03-02T10:00:00Z", "total": "1280.00", "lines": [{"sku": "LARGE-CABINET", "quantity": "4", "amount": "1280.00"}], "codes": ["test_10pc", "NOPE"]}"#
            .write(toFile: receipt, atomically: true, encoding: .utf8)
        let explained = try LoyaltydBinary.run(["config", "check", "--config", "\(examples)/promo-codes.yaml", "--explain", receipt])
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stdout.contains("code test_10pc: applied (rule code-test-10pc): 10% off 960.00"))
        #expect(explained.stdout.contains("code NOPE: unknown: no promotion has this code"))
        #expect(explained.stdout.contains("payable 864.00"))
    }

    @Test func generatedCodesArePrintedAsCSVAndStored() async throws {
        let directory = try TemporaryDirectory(prefix: "loyaltyd-codes")
        defer { directory.remove() }
        let config = "\(examples)/promo-codes.yaml"
        let database = directory.file("store.sqlite")
        #expect(try LoyaltydBinary.run(["db", "migrate", "--config", config, "--database", database]).status == 0)
        let generated = try LoyaltydBinary.run([
            "codes", "generate", "--rule", "spring-voucher", "--count", "3", "--prefix", "SPRING-", "--config", config, "--database", database,
        ])
        #expect(generated.status == 0, "\(generated.stderr)")
        let rows = generated.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first == "code,rule_id")
        #expect(rows.count == 4)
        #expect(rows.dropFirst().allSatisfy { $0.hasPrefix("SPRING-") && $0.hasSuffix(",spring-voucher") && $0.count == 17 + 15 })
        // Stored: a till can use one of them, once.
        let code = String(rows[1].prefix(17))
        let program = try ConfigLoader.load(path: config).program
        let store = try LoyaltyStore(path: database, storeID: "test")
        defer { try? store.close() }
        let member = try await store.enroll(
            Enrolment(carrier: try Carrier(kind: .barcode, value: "C1"), name: nil, phone: nil, birthday: nil, consentAtMilliseconds: nil),
            bonus: .zero, rulesVersion: program.version, expiry: program.policies.expiry, nowMilliseconds: 1_000)
        let request = PurchaseRequest(tillID: "lane-1", transactionID: "T1", member: .id(member.id), total: Money(minorUnits: 3_000), codes: [code])
        let quote = try await store.quote(request, program: program, nowMilliseconds: 2_000).0
        #expect(quote.codes.map(\.status) == [.applied])
        #expect(quote.discount == Money(minorUnits: 500))

        // A rule that takes no single-use codes, or none at all, is refused.
        let shared = try LoyaltydBinary.run(["codes", "generate", "--rule", "code-test-10pc", "--count", "1", "--config", config, "--database", database])
        #expect(shared.status == 1)
        #expect(shared.stderr.contains("takes no single-use codes"))
        let unknown = try LoyaltydBinary.run(["codes", "generate", "--rule", "nope", "--count", "1", "--config", config, "--database", database])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no rule \"nope\""))
        #expect(try LoyaltydBinary.run(["codes", "generate", "--rule", "spring-voucher", "--count", "0", "--config", config, "--database", database]).status == 64)
    }

    /// `till quote` and `till commit` send each `--code` in the protocol's `codes`, in order.
    @Test func tillQuoteAndCommitSendTheirCodes() throws {
        let daemon = try TemporaryDaemon { config in
            config.program = """
                  rounding: half-up
                  point_value: "0.01"
                  rules:
                    - id: spring-10
                      type: discount
                      percent: "10"
                      when:
                        code: SPRING10
                    - id: voucher
                      type: money-off
                      amount: "5.00"
                      when:
                        single_use_codes: true
                """
        }.start()
        defer { daemon.cleanUp() }
        #expect(try daemon.run(["member", "add", "--card", "barcode:123"]).status == 0)
        let generated = try daemon.run(["codes", "generate", "--rule", "voucher", "--count", "1"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let voucher = try #require(generated.stdout.split(separator: "\n").dropFirst().first?.split(separator: ",").first.map(String.init))
        let receipt = ["--till", "lane-1", "--transaction", "T1", "--card", "barcode:123", "--total", "30.00"]

        // 10% of 30.00 = 3.00, then 5.00 off: 8.00; the unknown code fails nothing.
        let quote = try daemon.run(["till", "quote"] + receipt + ["--code", "SPRING10", "--code", voucher, "--code", "NOPE", "--json"])
        #expect(quote.status == 0, "\(quote.stderr)")
        #expect(quote.stdout.contains(#""discount":"8.00""#), "\(quote.stdout)")
        #expect(quote.stdout.contains(#""codes":[{"code":"SPRING10","status":"applied","rule_id":"spring-10""#), "\(quote.stdout)")
        #expect(quote.stdout.contains(#"{"code":"\#(voucher)","status":"applied","rule_id":"voucher""#), "\(quote.stdout)")
        #expect(quote.stdout.contains(#"{"code":"NOPE","status":"unknown","rule_id":null"#), "\(quote.stdout)")
        // The readable form lists the codes as a table.
        let readable = try daemon.run(["till", "quote"] + receipt + ["--code", "NOPE"])
        #expect(readable.stdout.contains("codes:\n"), "\(readable.stdout)")
        #expect(readable.stdout.contains("no promotion has this code"), "\(readable.stdout)")

        // The commit uses the single-use code up: the next receipt gets "used" for it.
        let commit = try daemon.run(["till", "commit"] + receipt + ["--code", voucher, "--json"])
        #expect(commit.status == 0, "\(commit.stderr)")
        #expect(commit.stdout.contains(#""discount":"5.00""#), "\(commit.stdout)")
        let again = try daemon.run(["till", "quote", "--till", "lane-1", "--transaction", "T2", "--card", "barcode:123", "--total", "30.00",
                                    "--code", voucher, "--json"])
        #expect(again.stdout.contains(#"{"code":"\#(voucher)","status":"used""#), "\(again.stdout)")
        let help = try daemon.run(["till", "commit", "--help"])
        #expect(help.stdout.contains("--code <code>"), "\(help.stdout)")
    }
}
