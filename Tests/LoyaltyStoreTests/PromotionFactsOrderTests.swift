import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import Testing

/// The promotion facts of one box (a generated code, uses, a use given back) applied at another
/// box in any order, and twice, leave the same uses and codes: state is a function of the set of
/// facts (issue 16; docs/chain-central-schema.md, "Promotion codes and uses").
@Suite struct PromotionFactsOrderTests {
    @Test func anyOrderAndTwiceGiveTheSameUses() async throws {
        let harness = try RulesHarness(example: "promo-codes")
        try await harness.store.enableChainQueue()
        try await harness.enroll("P1")
        let codes = try await harness.store.generateCodes(ruleID: "spring-voucher", count: 2, prefix: "S-", nowMilliseconds: harness.now)
        try await harness.commit(try harness.request("P1", "T1", total: "30.00", codes: [codes[0]]))
        try await harness.commit(try harness.request("P1", "T2", total: "30.00", codes: [codes[1]]))
        // What was pushed before the refund says "used"; the refund's return comes in a later push.
        let before = try await harness.store.pendingChainFacts(limit: 1_000)
        try await harness.store.acknowledgePush(through: before.through, quarantined: [], nowMilliseconds: harness.now)
        _ = try await harness.refund("T1", "R1")
        let after = try await harness.store.pendingChainFacts(limit: 1_000)
        let facts = (before.facts + after.facts).enumerated().map { index, fact in
            PulledChainFact(sequence: Int64(index + 1), fact: fact, storeID: "store-a", boxID: "a1")
        }
        #expect(facts.filter { $0.fact.kind == "promotion_use" }.count == 3, "two uses and one return")
        #expect(facts.filter { $0.fact.kind == "promotion_code" }.count == 2)

        let query = "SELECT purchase_id, rule_id, member_id, code, state FROM promotion_uses ORDER BY 1, 2; SELECT code, rule_id, used_purchase_id FROM promo_codes ORDER BY 1;"
        let expected = SQLiteShell(path: harness.store.path).run(query)
        #expect(expected.contains("|returned\n") && expected.contains("|used\n"), "\(expected)")
        var generator = SeededGenerator(seed: 16)
        for round in 0..<6 {
            let directory = try TemporaryDirectory(prefix: "loyaltyd-facts")
            defer { directory.remove() }
            let other = try LoyaltyStore(path: directory.file("b.sqlite"), storeID: "store-b")
            // One fact per pull, shuffled (the first round in the order made); then everything again, shuffled anew.
            for pass in 0..<2 {
                let order = round == 0 && pass == 0 ? facts : facts.shuffled(using: &generator)
                for pulled in order {
                    _ = try await other.applyPulledFacts([pulled], through: pulled.sequence, nowMilliseconds: harness.now)
                }
                #expect(SQLiteShell(path: directory.file("b.sqlite")).run(query) == expected, "round \(round), pass \(pass)")
            }
            try other.close()
            #expect(SQLiteShell(path: directory.file("b.sqlite")).run("SELECT count(*) FROM chain_quarantine; SELECT count(*) FROM chain_deferred;") == "0\n0\n")
        }
    }
}
