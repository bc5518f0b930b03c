import Foundation
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import TillClient
import TillProtocol

/// Quote latency for a member with a long history (10,000 ledger entries over two years) in a
/// database of a million members, under a program with tiers, progressive points, expiry with
/// pending points and coupons: the aggregates behind a quote must be indexed, not scanned.
enum RulesAtScale {
    static let program = """
          rounding: half-up
          point_value: "0.01"
          redemption:
            max_share_percent: "30"
          points_expiry:
            after_days: 365
            pending_days: 14
          tiers:
            basis: visits
            window_days: 365
            levels:
              - {name: silver, from: 20}
              - {name: gold, from: 50}
          rules:
            - id: level-discount
              type: discount
              percent_by_tier: {silver: "3", gold: "5"}
            - id: next-purchase
              type: coupon
              min_total: "500.00"
              percent: "10"
              valid_days: 30
            - id: cumulative-points
              type: points
              earn_percent_by_spend:
                - {from: "0.00", percent: "3"}
                - {from: "10000.00", percent: "5"}
        """

    struct Figures {
        var members: Int
        var ledgerEntries: Int
        var heavy: TillLoad.Result
        var ordinary: TillLoad.Result
        var seedSeconds: Double
        /// The first quote after the daemon started (cold caches, statements compiled), in ms.
        var firstQuote: Double
    }

    /// Quotes measured per figure: p99.9 is then the 10th-worst, not the 2nd-worst, of a run.
    static let measuredQuotes = 10_000
    /// Quotes sent after the start and before measuring, the first included: it is reported alone;
    /// the rest let the page cache and the statement caches settle, as on a store's box after opening.
    static let warmUpQuotes = 200

    /// - Parameters:
    ///   - program: the `program:` section (indented by two spaces); the one above by default.
    ///   - codes: promotion codes every quote of the member with the long history sends.
    static func measure(members: Int, ledgerEntries: Int, program: String = program, codes: [String] = []) throws -> Figures {
        let daemon = try TemporaryDaemon { $0.program = program }
        defer { daemon.cleanUp() }
        let seeding = ContinuousClock.now
        try MemberSeed.seed(databasePath: daemon.databasePath, members: members)
        let entries = try history(databasePath: daemon.databasePath, configPath: daemon.configPath, ledgerEntries: ledgerEntries)
        let seedSeconds = (ContinuousClock.now - seeding).seconds
        try daemon.start()
        let client = try daemon.client()
        let heavyCard: JSONValue = .object([("kind", "uid"), ("value", "04000000000001")])
        func quote(_ number: Int) throws -> Double {
            let began = ContinuousClock.now
            var params: [(String, JSONValue)] = [
                ("till_id", "bench"), ("transaction_id", .string("Q\(number)")), ("card", heavyCard),
                ("total", .string("\(100 + number % 900).00")), ("redeem_points", .integer(Int64(number % 3))),
            ]
            if !codes.isEmpty {
                params.append(("codes", .array(codes.map(JSONValue.string))))
                params.append(("lines", .array([
                    .object([("sku", "SKU-3"), ("quantity", "3"), ("amount", "30.00")]),
                    .object([("sku", "OTHER"), ("amount", .string("\(70 + number % 900).00"))]),
                ])))
            }
            _ = try client.result("purchase.quote", .object(params))
            return (ContinuousClock.now - began).seconds * 1_000
        }
        let firstQuote = try quote(0)
        for number in 1..<warmUpQuotes { _ = try quote(number) }
        var latencies: [Double] = []
        latencies.reserveCapacity(measuredQuotes)
        let cpuBefore = ProcessMemory.cpuSeconds(of: daemon.processID!)
        let start = ContinuousClock.now
        for number in warmUpQuotes..<(warmUpQuotes + measuredQuotes) {
            latencies.append(try quote(number))
        }
        let heavy = TillLoad.Result(
            latencies: latencies, seconds: (ContinuousClock.now - start).seconds,
            daemonCPUSeconds: ProcessMemory.cpuSeconds(of: daemon.processID!) - cpuBefore)
        let ordinary = try TillLoad(socketPath: daemon.socketPath, members: members, daemonPID: daemon.processID).run(method: "purchase.quote", tills: 1, requestsPerTill: measuredQuotes)
        _ = daemon.stop()
        return Figures(
            members: members, ledgerEntries: entries, heavy: heavy, ordinary: ordinary, seedSeconds: seedSeconds, firstQuote: firstQuote)
    }

    /// Two years of purchases by member 1 through the store's own commit, each paying a point
    /// and earning some, until the member has `ledgerEntries` ledger entries.
    private static func history(databasePath: String, configPath: String, ledgerEntries: Int) throws -> Int {
        let configuration = try ConfigLoader.load(path: configPath)
        let store = try LoyaltyStore(path: databasePath, storeID: "bench")
        let card = try Carrier(kind: .uid, value: "04000000000001")
        let done = BlockingResult<Int>()
        Task {
            do {
                let now = Int64(Date().timeIntervalSince1970 * 1_000)
                let purchases = ledgerEntries / 2
                let step = 730 * 86_400_000 / Int64(purchases)
                var written = 0
                for number in 0..<purchases {
                    var request = PurchaseRequest(
                        tillID: "history", transactionID: "H\(number)", member: .carrier(card),
                        total: Money(minorUnits: 1_000 + Int64(number % 50_000)), redeemPoints: Points(number < 100 ? 0 : 1))
                    let at = now - 730 * 86_400_000 + Int64(number) * step
                    do {
                        _ = try await store.commit(request, program: configuration.program, nowMilliseconds: at) { _, _ in "{}" }
                    } catch {
                        // A program whose rules leave no point redeemable on this receipt (a
                        // promotion program's blocks or minimums) refuses the point: earn only.
                        request.redeemPoints = .zero
                        _ = try await store.commit(request, program: configuration.program, nowMilliseconds: at) { _, _ in "{}" }
                    }
                    written += 1
                }
                done.set(try await store.ledger(of: "bench-m00000001", limit: 1_000_000).count)
            } catch {
                // stderr: stdout is buffered and lost when the bench stops on the error below.
                FileHandle.standardError.write(Data("history failed: \(error)\n".utf8))
                done.set(-1)
            }
        }
        let count = done.wait()
        try store.close()
        guard count > 0 else { throw BenchmarkError(description: "could not write the member's history (\(count) ledger entries)") }
        return count
    }
}
