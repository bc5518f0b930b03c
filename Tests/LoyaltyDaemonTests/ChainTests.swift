import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// The chain (issue 13) with real parts: a PostgreSQL 15 started by the test, three `loyaltyd`
/// daemons (two boxes of store A, one of store B) syncing through it, tills on their sockets.
@Suite(.serialized) struct ChainTests {
    static let anna: JSONValue = .object([("kind", "uid"), ("value", "04A1B2C3D4E5F6")])

    func purchase(_ till: String, _ transaction: String, total: String, redeem: Int64? = nil) -> JSONValue {
        var params: [(String, JSONValue)] = [
            ("till_id", .string(till)), ("transaction_id", .string(transaction)), ("card", Self.anna), ("total", .string(total)),
        ]
        if let redeem { params.append(("redeem_points", .integer(redeem))) }
        return .object(params)
    }

    func reason(_ response: JSONValue) -> String? {
        guard case .string(let reason)? = response["error"]?["data"]?["reason"] else { return nil }
        return reason
    }

    @Test(.requires(TemporaryPostgres.binaries != nil, "PostgreSQL (apt-get install postgresql-15)")) func aMembersPointsWorkInEveryStoreOnlineAndOffline() throws {
        let chain = try TemporaryChain()
        defer { chain.remove() }
        let a1 = try chain.addBox("a1", store: "store-a", offline: ["after_ms: 1000", "max_points_per_purchase: 300"])
        let a2 = try chain.addBox("a2", store: "store-a")
        let b1 = try chain.addBox("b1", store: "store-b")

        // Enrolled in store A, 100.00 bought there: 5 % off, 3 % of 95.00 = 285 points.
        let member = try a1.client().result("member.enroll", .object([("card", Self.anna), ("name", "Anna"), ("consent", true)]))
        #expect(try a1.client().result("purchase.commit", purchase("lane-1", "A-1", total: "100.00"))["balance_after"] == .integer(285))
        let everywhere = try #require(chain.converged(card: Self.anna), "every box knows the member")
        #expect(everywhere["member_id"] == member["member_id"], "the same member, enrolled elsewhere")
        #expect(everywhere["balance"] == .integer(285))

        // Bought in store B, paying 200 points: 20.00 - 1.00 - 2.00 = 17.00 paid, 51 points.
        let inB = try b1.client().result("purchase.commit", purchase("lane-1", "B-1", total: "20.00", redeem: 200))
        #expect(inB["balance_after"] == .integer(285 - 200 + 51))
        #expect(chain.converged(card: Self.anna)?["balance"] == .integer(136))

        // A purchase from store A refunded in store B: its till is named in store A's namespace.
        let refund = try b1.client().result("purchase.refund", .object([
            ("till_id", "store-a:lane-1"), ("transaction_id", "A-1"), ("refund_id", "R-1"), ("amount", "50.00"),
        ]))
        #expect(refund["points_reversed"] == .integer(143), "half of 285, rounded half-up")
        #expect(refund["remaining_refundable"] == "50.00")
        #expect(chain.converged(card: Self.anna)?["balance"] == .integer(136 - 143))
        // Points spent twice (earned in A, spent in B, then the earning refunded): below zero,
        // the member can redeem nowhere, and chain status counts them, with the chain's rules.
        let blocked = try a2.client().call("purchase.quote", purchase("lane-2", "A-NEG", total: "5.00", redeem: 1))
        #expect(reason(blocked) == "redemption_refused", "\(blocked)")
        let overview = try a1.run(["chain", "status"])
        #expect(overview.stdout.contains("negative:    1 member(s) below zero"), "\(overview.stdout)")
        #expect(overview.stdout.contains(", the same in every box that reported"), "\(overview.stdout)")
        #expect(try chain.centre.psql("SELECT points FROM loyalty_chain.negative_balances", database: TemporaryPostgres.database) == "-7\n")
        #expect(try chain.centre.psql("SELECT DISTINCT daemon_version FROM loyalty_chain.boxes", database: TemporaryPostgres.database) == "0.1.0\n",
                "a technician's chain status does not overwrite what the daemon reported")
        // Store A knows that half is gone: the rest can be refunded there, not more.
        let rest = try a1.client().call("purchase.refund", .object([
            ("till_id", "lane-1"), ("transaction_id", "A-1"), ("refund_id", "R-2"), ("amount", "50.01"),
        ]))
        #expect(reason(rest) == "refund_exceeds_purchase")
        // The other box of store A refunds lane-1's purchase under its own name (one store, one namespace).
        #expect(try a2.client().result("purchase.refund", .object([
            ("till_id", "lane-1"), ("transaction_id", "A-1"), ("refund_id", "R-2"), ("amount", "50.00"),
        ]))["remaining_refundable"] == "0.00")
        #expect(chain.converged(card: Self.anna)?["balance"] == .integer(136 - 143 - 142))

        // Every fact once centrally; the boxes hold the same ledger.
        #expect(try chain.settled())
        let facts = try chain.centralFacts()
        let ledgers = [a1, a2, b1].map { SQLiteShell(path: $0.databasePath).run("SELECT id FROM ledger ORDER BY id;") }
        #expect(Set(ledgers).count == 1, "every box holds the same ledger entries")
        #expect(try chain.centre.psql("SELECT count(*) FROM loyalty_chain.quarantine", database: "chain") == "0\n")

        // Pushing everything again inserts nothing: box a1 forgets what it pushed and sends it all.
        #expect(a1.stop() == 0)
        _ = SQLiteShell(path: a1.databasePath).run("UPDATE chain_state SET value = '0' WHERE key = 'queue'; DELETE FROM chain_state WHERE key = 'backfilled';")
        try a1.start()
        #expect(waitUntil { chain.pending("a1") == 0 })
        #expect(try chain.settled())
        #expect(try chain.centralFacts() == facts, "a resent fact is a duplicate, not a new fact")

        // Offline: the centre crashes. Earning goes on; redemption is capped by the policy.
        chain.centre.stop(immediate: true)
        #expect(waitUntil { (try? a1.client().result("status")["chain"]?["state"]) == "offline" })
        let offlineEarn = try a1.client().result("purchase.commit", purchase("lane-1", "A-2", total: "200.00"))
        #expect(offlineEarn["points_earned"] == .integer(570), "3 % of 190.00")
        let tooMuch = try a1.client().call("purchase.commit", purchase("lane-1", "A-3", total: "10.00", redeem: 400))
        #expect(reason(tooMuch) == "offline_limit", "\(tooMuch)")
        #expect(try a1.client().result("purchase.commit", purchase("lane-1", "A-3", total: "10.00", redeem: 100))["points_redeemed"] == .integer(100))
        let elsewhere = try a1.client().call("purchase.refund", .object([
            ("till_id", "store-b:lane-1"), ("transaction_id", "B-1"), ("refund_id", "R-3"),
        ]))
        #expect(reason(elsewhere) == "chain_offline")
        // Store B goes on serving too, and sells.
        #expect(try b1.client().result("purchase.commit", purchase("lane-1", "B-2", total: "10.00"))["points_earned"] == .integer(29))

        // While apart, stores A and B enrol the same new card for two people and sell to each.
        let twice: JSONValue = .object([("kind", "uid"), ("value", "04EEEE0000000A")])
        let first = try a1.client().result("member.enroll", .object([("card", twice)]))
        _ = try b1.client().result("member.enroll", .object([("card", twice)]))
        for (box, total) in [(a1, "10.00"), (b1, "20.00")] {
            _ = try box.client().result("purchase.commit", .object([
                ("till_id", "lane-9"), ("transaction_id", .string("TW-\(total)")), ("card", twice), ("total", .string(total)),
            ]))
        }

        // The centre comes back: everything converges.
        try chain.centre.start()
        let after = try #require(chain.converged(card: Self.anna, timeoutSeconds: 40), "the boxes converge after the outage: \(chain.lookups(card: Self.anna))")
        #expect(after["balance"] == .integer(136 - 143 - 142 + 570 - 100 + 26 + 29), "\(after)")
        #expect(try chain.settled(timeoutSeconds: 30))
        #expect(try chain.centralFacts() > facts)
        // One member survives everywhere, the one enrolled first, with both purchases' points
        // (3 % of 9.50 = 29, of 19.00 = 57); the other is merged into it.
        let survivor = try #require(chain.converged(card: twice), "the card enrolled twice resolves the same way everywhere: \(chain.lookups(card: twice))")
        #expect(survivor["member_id"] == first["member_id"])
        #expect(survivor["balance"] == .integer(29 + 57))

        // A box killed with SIGKILL right after its tills' commits (during a push, or before it):
        // restarted, it sends what the centre lacks, and nothing twice.
        for index in 1...3 {
            _ = try b1.client().result("purchase.commit", purchase("lane-1", "B-K\(index)", total: "10.00"))
        }
        b1.kill()
        try b1.start()
        let restarted = try #require(chain.converged(card: Self.anna, timeoutSeconds: 30), "the boxes converge after a kill -9")
        #expect(restarted["balance"] == after["balance"].flatMap { $0.int64 }.map { .integer($0 + 3 * 29) })
        #expect(try chain.settled(timeoutSeconds: 30))
        #expect(try chain.centre.psql("SELECT count(*) - count(DISTINCT fact_id) FROM loyalty_chain.facts", database: "chain") == "0\n")

        // A technician merges two members at a box of store A: every box ends with the survivor
        // holding both cards and both balances (10.00 → 29 points, 30.00 → 86 points).
        let cardOne: JSONValue = .object([("kind", "barcode"), ("value", "2900000011111")])
        let cardTwo: JSONValue = .object([("kind", "barcode"), ("value", "2900000022222")])
        let one = try a1.client().result("member.enroll", .object([("card", cardOne)]))
        _ = try a1.client().result("member.enroll", .object([("card", cardTwo)]))
        _ = try a1.client().result("purchase.commit", .object([("till_id", "lane-1"), ("transaction_id", "M-1"), ("card", cardOne), ("total", "10.00")]))
        #expect(chain.converged(card: cardTwo) != nil)
        _ = try b1.client().result("purchase.commit", .object([("till_id", "lane-1"), ("transaction_id", "M-2"), ("card", cardTwo), ("total", "30.00")]))
        #expect(try chain.settled(timeoutSeconds: 30))
        guard case .string(let oneID)? = one["member_id"] else { Issue.record("no member id"); return }
        let merged = try a1.run(["member", "merge", "--card", "barcode:2900000022222", "--into", oneID])
        #expect(merged.status == 0, "\(merged.stderr)")
        let joined = try #require(chain.converged(card: cardTwo, timeoutSeconds: 30), "the merge reaches every box: \(chain.lookups(card: cardTwo))")
        #expect(joined["member_id"] == one["member_id"])
        #expect(joined["balance"] == .integer(29 + 86))
        #expect(chain.converged(card: cardOne) == joined)

        // A replaced box of store A takes the whole chain with `chain resync`, then serves the
        // member; it was set up with other rules (4 % points), and the other boxes' status says so.
        let a3 = try chain.addBox("a3", store: "store-a", start: false) { $0.earnPercent = "4" }
        #expect(try a3.run(["db", "migrate"]).status == 0)
        let resync = try a3.run(["chain", "resync"])
        #expect(resync.status == 0, "\(resync.stderr)")
        #expect(resync.stdout.hasPrefix("resync done: cursor "), "\(resync.stdout)")
        try a3.start()
        #expect(chain.converged(card: Self.anna)?["balance"] == restarted["balance"])
        let versions = try a1.run(["chain", "status"])
        #expect(versions.stdout.contains("; other rules in: a3 (store-a) "), "\(versions.stdout)")
        let status = try a3.run(["chain", "status", "--json"])
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("\"reachable\":true"))
        let doctor = try a3.run(["doctor"])
        #expect(doctor.stdout.contains("ok    chain: centre 127.0.0.1:\(chain.centre.port) reachable as box a3 of store store-a"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("ok    chain queue: "), "\(doctor.stdout)")
    }

    /// The box role can call the chain's functions and nothing else, and cannot write another
    /// store's facts.
    @Test(.requires(TemporaryPostgres.binaries != nil, "PostgreSQL (apt-get install postgresql-15)")) func aBoxRoleCannotReadTablesOrWriteAnotherStoresFacts() throws {
        let chain = try TemporaryChain()
        defer { chain.remove() }
        try chain.addBox("a1", store: "store-a", start: false)
        let asBox = { (sql: String) throws -> String in try chain.centre.psql(sql, role: "box_a1", database: "chain") }
        for sql in ["SELECT * FROM loyalty_chain.facts", "INSERT INTO loyalty_chain.facts (fact_id) VALUES ('x')",
                    "SELECT loyalty_chain.register_box('a9', 'store-b', 'box_a1')"] {
            #expect(throws: (any Error).self, "\(sql)") { try asBox(sql) }
        }
        let answer = try asBox("""
            SELECT loyalty_chain.push_v1('[{"id":"store-b-1","kind":"member","member_id":"m1","at_ms":1,"body":{"store_id":"store-b"}},
                {"id":"store-a-1","kind":"member","member_id":"m2","at_ms":1,"body":{}}]'::jsonb)
            """)
        #expect(answer.contains("\"inserted\": 1"), "\(answer)")
        #expect(answer.contains("\"reason\": \"foreign_store\""), "\(answer)")
        #expect(try chain.centre.psql("SELECT store_id FROM loyalty_chain.facts", database: "chain") == "store-a\n",
                "the store comes from the role, not from the fact")
    }
}
