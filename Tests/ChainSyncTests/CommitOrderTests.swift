import ChainSync
import Foundation
import Logging
import LoyaltyStore
import LoyaltyTestSupport
import NIOPosix
import Synchronization
import Testing

/// The central sequence is assigned in commit order, so a box pulling by cursor never skips a
/// fact, however the pushes of many boxes interleave (a plain `bigserial` would: it is taken at
/// insert time and becomes visible at commit, out of order).
@Suite struct CommitOrderTests {
    static let writers = 8
    static let pushesPerWriter = 40

    @Test(.requires(TemporaryPostgres.binaries != nil, "PostgreSQL (apt-get install postgresql-15)")) func aCursorSeesEveryFactWhileEightBoxesPushAtOnce() async throws {
        let centre = try TemporaryPostgres()
        defer { centre.remove() }
        let logger = Logger(label: "test")
        let admin = try CentralDatabaseAddress(url: centre.adminURL)
        _ = try await CentralSchema.migrate(admin, logger: logger)
        var transports: [PostgresChainTransport] = []
        for index in 0...Self.writers {
            let role = "box_w\(index)"
            try await CentralSchema.addBox(admin, boxID: "w\(index)", storeID: "s\(index)", role: role, password: "pw", logger: logger)
            transports.append(PostgresChainTransport(
                address: try CentralDatabaseAddress(url: centre.url(role: role, password: "pw")),
                eventLoop: MultiThreadedEventLoopGroup.singleton.any(), logger: logger))
        }
        let reader = transports[Self.writers]

        // The reader pulls by cursor all along; each writer pushes batches of 1 to 20 facts (sizes
        // from a fixed seed, so transactions take different times and commit out of the order they
        // started).
        let writersDone = Flag()
        async let pulled = Self.pullAll(reader, until: writersDone)
        let pushed = try await withThrowingTaskGroup(of: Set<String>.self) { group in
            for writer in 0..<Self.writers {
                let transport = transports[writer]
                group.addTask {
                    var generator = SeededGenerator(seed: UInt64(writer + 1))
                    var pushed = Set<String>()
                    for push in 0..<Self.pushesPerWriter {
                        let facts = (0..<Int.random(in: 1...20, using: &generator)).map { index in
                            ChainFact(id: "s\(writer)-\(push)-\(index)", kind: "sale", memberID: nil, atMilliseconds: 0, body: #"{"total":100}"#)
                        }
                        let outcome = try await transport.push(facts)
                        #expect(outcome.inserted == facts.count && outcome.quarantined.isEmpty)
                        pushed.formUnion(facts.map(\.id))
                    }
                    return pushed
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.formUnion($1) }
        }
        writersDone.set()
        let seen = try await pulled
        #expect(pushed.count > Self.writers * Self.pushesPerWriter, "every writer pushed")
        #expect(seen.count == pushed.count && seen == pushed, "\(pushed.subtracting(seen).count) fact(s) skipped by the cursor")
        print("figures[chain-commit-order] writers=\(Self.writers) facts_pushed=\(pushed.count) facts_pulled=\(seen.count) skipped=\(pushed.subtracting(seen).count)")
        for transport in transports { await transport.close() }
    }

    /// Pulls by cursor until `done` is set, then once more to the end; every id seen.
    static func pullAll(_ reader: PostgresChainTransport, until done: Flag) async throws -> Set<String> {
        var seen = Set<String>()
        var cursor: Int64 = 0
        while true {
            let finished = done.isSet
            let facts = try await reader.pull(after: cursor, limit: 500)
            for fact in facts {
                #expect(!seen.contains(fact.fact.id), "a fact pulled twice")
                seen.insert(fact.fact.id)
                cursor = fact.sequence
            }
            if finished && facts.isEmpty { return seen }
            if facts.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        }
    }
}

/// Set once, read from any task.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

