import ChainSync
import Foundation
import Logging
import LoyaltyStore
import LoyaltyTestSupport
import NIOPosix
import PostgresNIO
import TillProtocol

/// The chain's figures, against a real PostgreSQL started for the run: push throughput beside
/// plain inserts of the same rows into the same server, the time from a commit in one store to the
/// member's new balance in another, and `chain resync` of a chain of many members.
enum ChainBench {
    struct Figures {
        var pushPerSecond: Double
        var plainPerSecond: Double
        /// Push over plain inserts, round by round (4,000 facts each, interleaved batch by batch).
        var pushRatio: RatioSeries
        var convergence: [Double]
        var resyncMembers: Int
        var resyncSeconds: Double
    }

    static func measure(facts: Int, commits: Int, resyncMembers: Int) throws -> Figures {
        let chain = try TemporaryChain()
        defer { chain.remove() }
        let result = BlockingResult<Result<(Double, Double, RatioSeries), any Error>>()
        let centre = chain.centre
        Task {
            do { result.set(.success(try await throughput(centre, facts: facts))) } catch { result.set(.failure(error)) }
        }
        let (push, plain, pushRatio) = try result.wait().get()
        let convergence = try convergenceTimes(chain, commits: commits)
        let resync = try resyncTime(chain, members: resyncMembers)
        return Figures(pushPerSecond: push, plainPerSecond: plain, pushRatio: pushRatio, convergence: convergence, resyncMembers: resyncMembers, resyncSeconds: resync)
    }

    /// Facts per second through push_v1 (batches of 500, as a box sends them), and plain inserts
    /// of the same JSON rows into a table without the chain's checks and numbering, interleaved
    /// batch by batch so both see the same machine.
    static func throughput(_ centre: TemporaryPostgres, facts: Int) async throws -> (Double, Double, RatioSeries) {
        let logger = Logger(label: "bench")
        let admin = try CentralDatabaseAddress(url: centre.adminURL)
        try await CentralSchema.addBox(admin, boxID: "bench", storeID: "bench-store", role: "box_bench", password: "pw", logger: logger)
        let box = PostgresChainTransport(
            address: try CentralDatabaseAddress(url: centre.url(role: "box_bench", password: "pw")),
            eventLoop: MultiThreadedEventLoopGroup.singleton.any(), logger: logger)
        var configuration = PostgresConnection.Configuration(
            host: "127.0.0.1", port: centre.port, username: "chain_admin", password: centre.password, database: TemporaryPostgres.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        let plain = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        try await plain.query("CREATE TABLE plain_facts (fact_id text PRIMARY KEY, kind text, member_id text, body jsonb, at_ms bigint)", logger: logger)
        var pushTime = Duration.zero
        var plainTime = Duration.zero
        var ratio = RatioSeries()
        // Cumulative times when the current round of 8 batches began.
        var roundPush = Duration.zero
        var roundPlain = Duration.zero
        let batch = 500
        for start in stride(from: 0, to: facts, by: batch) {
            let facts = (start..<min(facts, start + batch)).map {
                ChainFact(id: "bench-store-\($0)", kind: "sale", memberID: nil, atMilliseconds: 0,
                          body: #"{"id":"bench-store-\#($0)","till_id":"lane-1","transaction_id":"S\#($0)","total":1250,"at_ms":0}"#)
            }
            var clock = ContinuousClock.now
            _ = try await box.push(facts)
            pushTime += ContinuousClock.now - clock
            let json = "[" + facts.map { #"{"id":"\#($0.id)","kind":"sale","member_id":null,"at_ms":0,"body":\#($0.body)}"# }
                .joined(separator: ",") + "]"
            clock = ContinuousClock.now
            try await plain.query("""
                INSERT INTO plain_facts SELECT e->>'id', e->>'kind', e->>'member_id', e->'body', (e->>'at_ms')::bigint
                FROM jsonb_array_elements(\(json)::jsonb) e ON CONFLICT DO NOTHING
                """, logger: logger)
            plainTime += ContinuousClock.now - clock
            if (start / batch + 1) % 8 == 0 {
                ratio.add(measured: 1 / (pushTime - roundPush).seconds, baseline: 1 / (plainTime - roundPlain).seconds)
                roundPush = pushTime
                roundPlain = plainTime
            }
        }
        await box.close()
        try await plain.close()
        return (Double(facts) / pushTime.seconds, Double(facts) / plainTime.seconds, ratio)
    }

    /// Milliseconds from a commit acknowledged by store A's box to store B's till seeing the
    /// member's new balance, at the default interval (500 ms).
    static func convergenceTimes(_ chain: TemporaryChain, commits: Int) throws -> [Double] {
        let a = try chain.addBox("ca", store: "store-a", intervalMilliseconds: 500)
        let b = try chain.addBox("cb", store: "store-b", intervalMilliseconds: 500)
        let card: JSONValue = .object([("kind", "uid"), ("value", "04C0FFEE000001")])
        let tillA = try a.client()
        let tillB = try b.client()
        _ = try tillA.result("member.enroll", .object([("card", card)]))
        guard chain.converged(card: card) != nil else { throw BenchmarkError(description: "the boxes never agreed on the member") }
        var times: [Double] = []
        for index in 0..<commits {
            let committed = try tillA.result("purchase.commit", .object([
                ("till_id", "lane-1"), ("transaction_id", .string("C-\(index)")), ("card", card), ("total", "10.00"),
            ]))
            let start = ContinuousClock.now
            let expected = committed["balance_after"]
            while try tillB.result("member.lookup", .object([("card", card)]))["balance"] != expected {
                usleep(2_000)
                guard ContinuousClock.now - start < .seconds(30) else { throw BenchmarkError(description: "no convergence within 30 s") }
            }
            times.append((ContinuousClock.now - start).milliseconds)
        }
        return times
    }

    /// `loyaltyd chain resync` of a new box in a chain of `members` members (each a member fact
    /// and a card fact, written centrally as boxes would have pushed them, numbered as push_v1 does).
    static func resyncTime(_ chain: TemporaryChain, members: Int) throws -> Double {
        try chain.centre.psql("""
            INSERT INTO loyalty_chain.facts (fact_id, seq, kind, member_id, store_id, box_id, body, box_time_ms)
            SELECT 'store-z-m' || i, nextval('loyalty_chain.fact_seq'), 'member', 'store-z-m' || i, 'store-z', 'ca',
                jsonb_build_object('id', 'store-z-m' || i, 'status', 'active', 'created_at_ms', i), i FROM generate_series(1, \(members)) i;
            INSERT INTO loyalty_chain.facts (fact_id, seq, kind, member_id, store_id, box_id, body, box_time_ms)
            SELECT 'card#store-z-m' || i, nextval('loyalty_chain.fact_seq'), 'carrier', 'store-z-m' || i, 'store-z', 'ca',
                jsonb_build_object('kind', 'barcode', 'value', (2900000000000 + i)::text, 'member_id', 'store-z-m' || i,
                    'status', 'active', 'created_at_ms', i), i FROM generate_series(1, \(members)) i;
            """, database: TemporaryPostgres.database)
        let box = try chain.addBox("rs", store: "store-a", start: false)
        guard try box.run(["db", "migrate"]).status == 0 else { throw BenchmarkError(description: "db migrate failed") }
        let start = ContinuousClock.now
        let resync = try box.run(["chain", "resync"])
        let seconds = (ContinuousClock.now - start).seconds
        guard resync.status == 0 else { throw BenchmarkError(description: "chain resync failed: \(resync.stdout) \(resync.stderr) \(SQLiteShell(path: box.databasePath).run("SELECT reason FROM chain_quarantine LIMIT 3;"))") }
        let count = SQLiteShell(path: box.databasePath).run("SELECT COUNT(*) FROM members WHERE id LIKE 'store-z-%';")
        guard count == "\(members)\n" else { throw BenchmarkError(description: "resync brought \(count) members, not \(members)") }
        return seconds
    }
}
