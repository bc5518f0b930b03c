import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// Promotions chain-wide (issue 16) with real parts: a PostgreSQL centre, two `loyaltyd` boxes in
/// two stores. A single-use code and a usage limit count every box's uses; a whole refund anywhere
/// gives the use back everywhere; a code two boxes accepted while apart stands twice and is reported.
@Suite(.serialized) struct ChainPromotionTests {
    static let anna: JSONValue = .object([("kind", "uid"), ("value", "04A1B2C3D4E5F6")])
    static let ben: JSONValue = .object([("kind", "barcode"), ("value", "2900000012345")])

    /// A voucher of 5.00 off 20.00 or more with single-use codes, an opening offer of 15.00 off
    /// 50.00 or more once per member, and 3 % points.
    static let program = """
          rounding: half-up
          point_value: "0.01"
          rules:
            - id: spring-voucher
              type: money-off
              amount: "5.00"
              when:
                single_use_codes: true
                min_total: "20.00"
            - id: opening-offer
              type: money-off
              amount: "15.00"
              when:
                min_total: "50.00"
                max_uses_per_member: 1
            - id: base-points
              type: points
              earn_percent: "3"
        """

    func receipt(_ till: String, _ transaction: String, card: JSONValue = anna, total: String, codes: [String] = []) -> JSONValue {
        var params: [(String, JSONValue)] = [
            ("till_id", .string(till)), ("transaction_id", .string(transaction)), ("card", card), ("total", .string(total)),
        ]
        if !codes.isEmpty { params.append(("codes", .array(codes.map(JSONValue.string)))) }
        return .object(params)
    }

    func code(_ result: JSONValue) -> JSONValue? {
        guard case .array(let codes)? = result["codes"] else { return nil }
        return codes.first
    }

    /// Each box's promotion uses, as rows.
    func uses(_ box: TemporaryDaemon) -> String {
        SQLiteShell(path: box.databasePath).run("SELECT purchase_id, rule_id, member_id, code, state FROM promotion_uses ORDER BY 1, 2;")
    }

    @Test(.requires(TemporaryPostgres.binaries != nil, "PostgreSQL (apt-get install postgresql-15)")) func codesAndLimitsCountEveryBoxsUses() throws {
        let chain = try TemporaryChain()
        defer { chain.remove() }
        let a1 = try chain.addBox("a1", store: "store-a") { $0.program = Self.program }
        let b1 = try chain.addBox("b1", store: "store-b") { $0.program = Self.program }
        let anna = try a1.client().result("member.enroll", .object([("card", Self.anna)]))
        guard case .string(let annaID)? = anna["member_id"] else { Issue.record("no member id"); return }
        _ = try a1.client().result("member.enroll", .object([("card", Self.ben)]))
        #expect(chain.converged(card: Self.ben) != nil)

        // Head office makes two codes at box a1; box b1 learns them through the centre.
        let generated = try a1.run(["codes", "generate", "--rule", "spring-voucher", "--count", "2", "--prefix", "S-"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let codes = generated.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) }
        try #require(codes.count == 2)
        #expect(try chain.settled())
        let known = try b1.client().result("purchase.quote", receipt("lane-1", "B-0", total: "30.00", codes: [codes[0]]))
        #expect(code(known)?["status"] == "applied", "\(known)")

        // Used at a1 (30.00: 5.00 off); refused at b1 after sync, with the status "used".
        let used = try a1.client().result("purchase.commit", receipt("lane-1", "A-1", total: "30.00", codes: [codes[0]]))
        #expect(used["discount"] == "5.00")
        #expect(try chain.settled())
        let refused = try b1.client().result("purchase.commit", receipt("lane-1", "B-1", total: "30.00", codes: [codes[0]]))
        #expect(refused["discount"] == "0.00", "\(refused)")
        #expect(code(refused)?["status"] == "used", "\(refused)")
        #expect(code(refused)?["note"] == "already used by an earlier receipt")

        // Anna's opening offer, taken at a1, is used up at b1 too.
        #expect(try a1.client().result("purchase.commit", receipt("lane-1", "A-2", total: "60.00"))["discount"] == "15.00")
        #expect(try chain.settled())
        let limited = try b1.client().result("purchase.quote", receipt("lane-1", "B-2", total: "60.00"))
        #expect(limited["discount"] == "0.00", "\(limited)")
        guard case .array(let rules)? = limited["rules"] else { Issue.record("no rules"); return }
        #expect(rules.contains { $0["id"] == "opening-offer" && $0["note"] == "the member used it 1 of 1 times" }, "\(rules)")

        // A whole refund at a1 gives the code back at b1 (a refund in part would not).
        _ = try a1.client().result("purchase.refund", .object([("till_id", "lane-1"), ("transaction_id", "A-1"), ("refund_id", "R-1")]))
        #expect(try chain.settled())
        let back = try b1.client().result("purchase.quote", receipt("lane-1", "B-3", total: "30.00", codes: [codes[0]]))
        #expect(code(back)?["status"] == "applied", "\(back)")
        #expect(back["discount"] == "5.00")

        // Apart: both boxes accept the second code, and Ben's opening offer, once each.
        chain.centre.stop(immediate: true)
        for box in [a1, b1] { #expect(waitUntil { (try? box.client().result("status")["chain"]?["state"]) == "offline" }) }
        for (box, name) in [(a1, "A"), (b1, "B")] {
            let twice = try box.client().result("purchase.commit", receipt("lane-1", "\(name)-4", total: "30.00", codes: [codes[1]]))
            #expect(code(twice)?["status"] == "applied", "\(twice)")
            let offer = try box.client().result("purchase.commit", receipt("lane-1", "\(name)-5", card: Self.ben, total: "60.00"))
            #expect(offer["discount"] == "15.00", "\(offer)")
        }

        // Together again: both sales stand, and the extra uses are reported, on every box and centrally.
        try chain.centre.start()
        #expect(try chain.settled(timeoutSeconds: 40))
        #expect(uses(a1) == uses(b1), "both boxes hold the same uses")
        for box in [a1, b1] {
            let quote = try box.client().result("purchase.quote", receipt("lane-1", "X-\(box.databasePath.count)", total: "30.00", codes: [codes[1]]))
            #expect(code(quote)?["status"] == "used", "\(quote)")
            let status = try box.run(["chain", "status"])
            #expect(status.stdout.contains("codes:       1 single-use code(s) used more than once"), "\(status.stdout)")
            #expect(status.stdout.contains("limits:      opening-offer used 2 time(s) by one member, above its max_uses_per_member of 1"),
                    "\(status.stdout)")
        }
        let json = try b1.run(["chain", "status", "--json"])
        #expect(json.stdout.contains(#""codes_used_twice":1"#), "\(json.stdout)")
        #expect(json.stdout.contains(#""promotion_overruns":[{"rule_id":"opening-offer","uses":2,"limit":1,"per_member":true}]"#), "\(json.stdout)")
        #expect(try chain.centre.psql(
            "SELECT code || ' ' || uses || ' ' || array_length(store_ids, 1) FROM loyalty_chain.promotion_codes_overused",
            database: TemporaryPostgres.database) == "\(codes[1]) 2 2\n")
        #expect(try chain.centre.psql(
            "SELECT state || ' ' || count(*) FROM loyalty_chain.promotion_uses GROUP BY state ORDER BY state",
            database: TemporaryPostgres.database) == "returned 1\nused 5\n")
        #expect(try chain.centre.psql("SELECT count(*) FROM loyalty_chain.quarantine", database: TemporaryPostgres.database) == "0\n")

        // Applying every fact again changes nothing: b1 forgets its cursor and pulls the whole chain.
        let before = uses(b1)
        #expect(b1.stop() == 0)
        _ = SQLiteShell(path: b1.databasePath).run("UPDATE chain_state SET value = '0' WHERE key = 'cursor';")
        try b1.start()
        #expect(try chain.settled(timeoutSeconds: 30))
        #expect(uses(b1) == before)
        #expect(SQLiteShell(path: b1.databasePath).run("SELECT count(*) FROM chain_quarantine;") == "0\n")

        // Ben merged into Anna at a1: at b1 too, Anna's opening-offer count holds Ben's two uses.
        let merged = try a1.run(["member", "merge", "--card", "barcode:2900000012345", "--into", annaID])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(chain.converged(card: Self.ben)?["member_id"] == .string(annaID))
        #expect(try chain.settled(timeoutSeconds: 30))
        for box in [a1, b1] {
            #expect(SQLiteShell(path: box.databasePath).run(
                "SELECT count(*) FROM promotion_uses WHERE rule_id = 'opening-offer' AND state = 'used' AND member_id = '\(annaID)';") == "3\n")
            #expect(try box.run(["chain", "status"]).stdout.contains("limits:      opening-offer used 3 time(s) by one member"))
        }
    }

    /// The centre takes a promotion use only with its purchase, rule, member and state, and reads
    /// its state from the set of facts: a use with a return is returned, whatever came first.
    @Test(.requires(TemporaryPostgres.binaries != nil, "PostgreSQL (apt-get install postgresql-15)")) func theCentreChecksPromotionFacts() throws {
        let chain = try TemporaryChain()
        defer { chain.remove() }
        try chain.addBox("a1", store: "store-a", start: false)
        let answer = try chain.centre.psql("""
            SELECT loyalty_chain.push_v1('[
                {"id":"use#p1#r1#returned","kind":"promotion_use","member_id":"m1","at_ms":2,"body":{"purchase_id":"p1","rule_id":"r1","code":"C-1","state":"returned","at_ms":1}},
                {"id":"use#p1#r1","kind":"promotion_use","member_id":"m1","at_ms":1,"body":{"purchase_id":"p1","rule_id":"r1","code":"C-1","state":"used","at_ms":1}},
                {"id":"use#p2#r1","kind":"promotion_use","member_id":"m1","at_ms":1,"body":{"purchase_id":"p2","rule_id":"r1","state":"spent","at_ms":1}},
                {"id":"use#p3#r1","kind":"promotion_use","at_ms":1,"body":{"purchase_id":"p3","rule_id":"r1","state":"used","at_ms":1}},
                {"id":"code#","kind":"promotion_code","at_ms":1,"body":{"code":"","rule_id":"r1"}}]'::jsonb)
            """, role: "box_a1", database: TemporaryPostgres.database)
        #expect(answer.contains("\"inserted\": 2"), "\(answer)")
        for reason in ["bad_promotion_use", "missing_member_id", "bad_promotion_code"] {
            #expect(answer.contains("\"reason\": \"\(reason)\""), "\(answer)")
        }
        #expect(try chain.centre.psql("SELECT purchase_id || ' ' || state || ' ' || code FROM loyalty_chain.promotion_uses",
                                      database: TemporaryPostgres.database) == "p1 returned C-1\n")
        #expect(try chain.centre.psql("SELECT count(*) FROM loyalty_chain.promotion_codes_overused", database: TemporaryPostgres.database) == "0\n")
    }
}
