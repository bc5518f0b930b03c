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
}
