import GRDB
import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import PropertyBased
import Testing

/// Invariants of the ledger over generated histories of purchases and refunds on a real store.
@Suite struct LedgerPropertyTests {
    /// One step of a generated history: a purchase (amount, points to redeem in percent of what is
    /// allowed, days later) and whether to refund it (0 no, 1 part, 2 whole).
    static let steps = Gen.int(in: 1...300_000).array(of: 1...8)
    static let choices = Gen.int(in: 0...300).array(of: 8)

    @Test func balancesAreTheirLedgerQuoteIsCommitAndWholeRefundsRestoreTheStart() async {
        await propertyCheck(count: 25, input: Self.steps, Self.choices) { amounts, choices in
            let harness = try RulesHarness(example: "every-mechanism", start: "2026-03-02T09:00:00Z")
            try await harness.enroll("P1")
            harness.advance(days: 15)
            let start = try await harness.view("P1")
            for (index, amount) in amounts.enumerated() {
                let choice = choices[index]
                let total = Money(minorUnits: Int64(amount))
                let line = ("S\(index % 3)", ["food", "bakery", "tobacco"][index % 3], harness.configuration.currency.format(total), "1")
                var request = try harness.request("P1", "T\(index)", total: harness.configuration.currency.format(total), lines: [line])
                let quoted = try await harness.quote(request)
                request.redeemPoints = Points(quoted.pointsRedeemable.value * Int64(choice % 101) / 100)
                let quote = try await harness.quote(request)
                let committed = try await harness.commit(request)
                #expect(committed == quote, "quote == commit for the same input and time")
                harness.advance(days: choice % 5, hours: 1)
            }
            let report = try await harness.store.verify()
            #expect(report.isClean, "every balance is the sum of its ledger")
            // Refund everything, newest first, some in two parts: the member is back where they started.
            for index in amounts.indices.reversed() {
                if choices[index] % 2 == 0, amounts[index] > 1 {
                    _ = try await harness.refund("T\(index)", "R\(index)a", scope: RefundScope(amount: Money(minorUnits: Int64(amounts[index] / 2))))
                }
                _ = try await harness.refund("T\(index)", "R\(index)b")
            }
            let end = try await harness.view("P1")
            #expect(end.balance == start.balance)
            #expect(try await harness.store.verify().isClean)
            let state = try await harness.store.memberState(try harness.card("P1"), windowDays: nil, nowMilliseconds: harness.now)
            #expect(state.lifetimeVisits == 0 && state.lifetimeSpend == .zero)
        }
    }

    @Test func replayingPurchasesAndRefundsGivesTheSameTiers() async {
        await propertyCheck(count: 20, input: Self.steps, Self.choices) { amounts, choices in
            let harness = try RulesHarness(example: "restaurant")
            for member in 0..<3 { try await harness.enroll("Q\(member)") }
            for (index, amount) in amounts.enumerated() {
                let card = "Q\(choices[index] % 3)"
                try await harness.commit(try harness.request(card, "T\(index)", total: harness.configuration.currency.format(Money(minorUnits: Int64(amount)))))
                if choices[index] % 7 == 0 { _ = try await harness.refund("T\(index)", "R\(index)") }
                harness.advance(days: choices[index] % 40)
            }
            // The activity cache, summed as the quote sums it, against the purchases and refunds replayed.
            let database = try DatabaseQueue(path: harness.store.path)
            let replayed = try await database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT p.member_id AS member, p.at_ms / 86400000 AS day,
                        SUM(p.spend) - COALESCE(SUM((SELECT SUM(r.spend) FROM refunds r WHERE r.purchase_id = p.id)), 0) AS spend,
                        SUM(CASE WHEN (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.purchase_id = p.id) = p.total
                            AND p.total > 0 THEN 0 ELSE 1 END) AS visits
                    FROM purchases p WHERE p.state = 'committed' GROUP BY member, day ORDER BY member, day
                    """).map { "\($0["member"] as String)/\($0["day"] as Int64)/\($0["spend"] as Int64)/\($0["visits"] as Int64)" }
            }
            let cached = try await database.read { db in
                try Row.fetchAll(db, sql: "SELECT member_id, day, spend, visits FROM activity ORDER BY member_id, day")
                    .map { "\($0["member_id"] as String)/\($0["day"] as Int64)/\($0["spend"] as Int64)/\($0["visits"] as Int64)" }
            }
            #expect(cached == replayed)
            try database.close()
        }
    }
}
