import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// The chain when the network and the centre fail (issue 13): three boxes reach a real PostgreSQL
/// through a ``FaultyLink`` that goes silent, resets connections and cuts them mid-query or
/// mid-answer, on a schedule drawn from a fixed seed, while the tills keep selling; the centre
/// also crashes once. One box runs with its clock hours off. Afterwards every box agrees on every
/// member, and every balance is exactly what the tills were told. `make stress` runs it longer,
/// with more boxes and stores.
@Suite(.serialized) struct ChainFaultTests {
    static let seed: UInt64 = 13
    /// The chaos rounds of about 1.5 s; one silent round outlasts the sync's 10 s deadline.
    static let rounds = StressRun.count(test: 10, stress: 80)

    @Test(.requires(TemporaryPostgres.binaries != nil, "PostgreSQL (apt-get install postgresql-15)"),
          .requires(SkewedClock.compiler != nil, "a C compiler (the Swift toolchain's clang)"))
    func everyBoxConvergesThroughPartitionsCutsAndACrashedCentre() throws {
        let chain = try TemporaryChain()
        defer { chain.remove() }
        let link = try FaultyLink(targetPort: chain.centre.port, seed: Self.seed)
        defer { link.close() }
        // Box b1's clock is five hours behind: the outcome must not depend on it.
        let clock = try SkewedClock(offsetSeconds: -5 * 3_600)
        defer { clock.remove() }
        var boxes = [
            try chain.addBox("a1", store: "store-a", via: link),
            try chain.addBox("a2", store: "store-a", via: link),
            try chain.addBox("b1", store: "store-b", via: link, environment: clock.environment),
        ]
        if StressRun.isOn {
            boxes.append(try chain.addBox("b2", store: "store-b", via: link))
            boxes.append(try chain.addBox("c1", store: "store-c", via: link))
        }
        let cards: [JSONValue] = (1...4).map { .object([("kind", "barcode"), ("value", .string("29000000\(70000 + $0)"))]) }
        for (index, card) in cards.enumerated() {
            _ = try boxes[index % boxes.count].client().result("member.enroll", .object([("card", card)]))
        }
        for card in cards {
            #expect(chain.converged(card: card) != nil, "every box knows every member before the faults: \(chain.lookups(card: card))")
        }

        // What the tills were told, per card: the sum of points earned minus points taken back.
        var told: [Int64] = Array(repeating: 0, count: cards.count)
        var generator = SeededGenerator(seed: Self.seed)
        var sale = 0
        let schedule: [FaultyLink.Mode] = [.cutMidway, .reset, .silent, .pass, .cutMidway, .reset, .cutMidway, .silent, .cutMidway, .pass]
        for round in 0..<Self.rounds {
            let mode = schedule[round % schedule.count]
            link.set(mode)
            let crash = round % 10 == 5
            if crash { chain.centre.stop(immediate: true) }
            let deadline = Date().addingTimeInterval(mode == .silent && round == 2 ? 12 : 1.5)
            while Date() < deadline {
                sale += 1
                let box = Int.random(in: 0..<boxes.count, using: &generator)
                let member = Int.random(in: 0..<cards.count, using: &generator)
                let total = "\(Int.random(in: 1...80, using: &generator)).\(Int.random(in: 10...99, using: &generator))"
                let transaction = "F-\(sale)"
                let answer = try boxes[box].client().result("purchase.commit", .object([
                    ("till_id", "lane-1"), ("transaction_id", .string(transaction)), ("card", cards[member]), ("total", .string(total)),
                ]))
                told[member] += answer["points_earned"]?.int64 ?? 0
                // Every fifth sale is returned in full at the same box.
                if sale % 5 == 0 {
                    let refund = try boxes[box].client().result("purchase.refund", .object([
                        ("till_id", "lane-1"), ("transaction_id", .string(transaction)), ("refund_id", .string("R-\(sale)")),
                    ]))
                    told[member] -= refund["points_reversed"]?.int64 ?? 0
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            if crash { try chain.centre.start() }
        }
        link.set(.pass)

        // The backoff may be at its 30 s ceiling: give the boxes time to come back and settle.
        #expect(try chain.settled(timeoutSeconds: 90), "every box pushed everything and pulled to the head")
        for (index, card) in cards.enumerated() {
            let member = try #require(chain.converged(card: card, timeoutSeconds: 30), "card \(index): \(chain.lookups(card: card))")
            #expect(member["balance"]?.int64 == told[index], "card \(index): the balance is what the tills were told")
        }
        let ledgers = boxes.map { SQLiteShell(path: $0.databasePath).run("SELECT id FROM ledger ORDER BY id;") }
        #expect(Set(ledgers).count == 1, "every box holds the same ledger entries")
        #expect(try chain.centre.psql("SELECT count(*) FROM loyalty_chain.quarantine", database: TemporaryPostgres.database) == "0\n")
        let counts = link.counts
        #expect(counts["resets", default: 0] > 0 && counts["cuts", default: 0] > 0, "the faults happened: \(counts)")
        StressRun.report("chain-faults", [
            "boxes": boxes.count, "rounds": Self.rounds, "sales": sale, "connections": counts["connections", default: 0],
            "resets": counts["resets", default: 0], "cuts": counts["cuts", default: 0],
        ])

        // The skewed box reports how far off its clock is, and that is all the skew does.
        let status = try boxes[2].client().result("status")
        let offset = try #require(status["chain"]?["clock_offset_ms"]?.int64, "\(status)")
        #expect(abs(offset + 5 * 3_600_000) < 120_000, "b1 is five hours behind the centre: \(offset) ms")
    }
}
