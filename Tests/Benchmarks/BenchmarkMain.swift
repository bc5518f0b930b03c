import Foundation
import GRDB
import LoyaltyStore
import LoyaltyTestSupport
import TillClient
import TillProtocol

/// `make bench`: figures for the performance targets, each beside its baseline measured in the
/// same run on the same disk. Nothing here asserts a time: it prints, and people read.
@main
struct BenchmarkMain {
    static func main() throws {
        var arguments = CommandLine.arguments.dropFirst()
        var binary = LoyaltydBinary.path
        var members = 50_000
        var scaleMembers = 1_000_000
        var chainMembers = 100_000
        var sections = Set(Section.allCases)
        let usage = "usage: loyaltyd-bench [--binary PATH] [--members N] [--scale-members N] [--chain-members N] [--only SECTION,...]\n"
            + "sections: " + Section.allCases.map(\.rawValue).joined(separator: ", ")
        while let argument = arguments.popFirst() {
            switch argument {
            case "--binary": binary = arguments.popFirst() ?? binary
            case "--members": members = Int(arguments.popFirst() ?? "") ?? members
            case "--scale-members": scaleMembers = Int(arguments.popFirst() ?? "") ?? scaleMembers
            case "--chain-members": chainMembers = Int(arguments.popFirst() ?? "") ?? chainMembers
            case "--only":
                let names = (arguments.popFirst() ?? "").split(separator: ",").map(String.init)
                sections = Set(names.compactMap(Section.init(rawValue:)))
                guard sections.count == names.count, !names.isEmpty else {
                    FileHandle.standardError.write(Data("loyaltyd-bench: unknown section in --only\n\(usage)\n".utf8))
                    exit(64)
                }
            case "--help", "-h": say(usage); return
            default:
                FileHandle.standardError.write(Data("loyaltyd-bench: unknown argument \(argument)\n\(usage)\n".utf8))
                exit(64)
            }
        }
        setenv("LOYALTYD_BINARY", binary, 1)
        say("loyaltyd bench: \(binary), \(members) members, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        say(String(repeating: "-", count: 78))

        if sections.contains(.till) { try tillFigures(members: members) }
        if sections.contains(.rules) { try rulesFigures(members: scaleMembers) }
        if sections.contains(.import) { try importFigures() }
        if sections.contains(.chain) { try chainFigures(members: chainMembers) }
        if sections.contains(.readers) { try readerFigures() }
    }

    /// The parts of the bench, in the order they run; `--only` picks some.
    enum Section: String, CaseIterable {
        case till, rules, `import`, chain, readers
    }

    /// Quote and commit over the socket beside raw SQLite, and the daemon's memory around them.
    static func tillFigures(members: Int) throws {
        let raw = try RawSQLiteBaseline()
        defer { raw.remove() }
        let rawFirst = try raw.measure(transactions: 1_000)
        say(row("raw SQLite: durable single-row transactions", String(format: "%.0f tx/s (first run; ratios below pair rounds)", rawFirst)))
        let inProcess = try InProcessCommits.measure(commits: 2_000)
        say(row("store commits in process (no socket)", String(format: "%.0f/s", inProcess)))

        let daemon = try TemporaryDaemon()
        try MemberSeed.seed(databasePath: daemon.databasePath, members: members)
        try daemon.start()
        usleep(500_000)
        let idle = ProcessMemory.residentSummary(of: daemon.processID!)
        say(row("idle resident memory, \(members) members", idle + "  (target < 25 MB)"))

        let session = TillLoad(socketPath: daemon.socketPath, members: members, daemonPID: daemon.processID)
        let transport = try session.run(method: "status", tills: 1, requestsPerTill: 2_000, expectError: true)
        say(row("socket round trip, JSON-RPC, no database", transport.summary))
        for tills in [1, 8] {
            let quotes = try session.run(method: "purchase.quote", tills: tills, requestsPerTill: 4_000 / tills)
            say(row("purchase.quote, \(tills) till(s)", quotes.summary + (tills == 1 ? "  (target p99 < 1 ms)" : "")))
        }
        // Each commit figure is paired with the raw baseline round by round, interleaved, so both
        // see the same moment of the machine; the ratio is the median of the rounds.
        for tills in [1, 8] {
            var ratio = RatioSeries()
            var ceiling = RatioSeries()
            var baselines: [Double] = []
            var trips: [Double] = []
            var commits: TillLoad.Result?
            for _ in 0..<5 {
                let baseline = try raw.measure(transactions: 400)
                let round = try session.run(method: "purchase.commit", tills: tills, requestsPerTill: 400 / tills)
                ratio.add(measured: round.perSecond, baseline: baseline)
                commits = commits.map { $0 + round } ?? round
                if tills == 1 {
                    // A till waits for each answer, and the answer leaves after the fsync: one commit
                    // costs at least one raw transaction plus one socket round trip.
                    // Both are means over their round (requests per second), as the commit figure is.
                    let trip = try session.run(method: "status", tills: 1, requestsPerTill: 400, expectError: true)
                    ceiling.add(measured: 1 / (1 / baseline + 1 / trip.perSecond), baseline: baseline)
                    baselines.append(baseline)
                    trips.append(1_000 / trip.perSecond)
                }
            }
            say(row("purchase.commit, \(tills) till(s)", commits!.summary))
            say(row("  commits/s ÷ raw durable tx/s", ratio.summary + (tills == 1 ? "  (target ≥ 0.80)" : "  (target ≥ 1.0)")))
            if tills == 1 {
                say(row("  ceiling: 1 raw tx + 1 round trip ÷ raw", ceiling.summary + "  (no one-till commit can do better)"))
                say(row("    in those rounds", String(
                    format: "raw %.0f tx/s, round trip %.3f ms (medians of the rounds' means)",
                    baselines.sorted()[baselines.count / 2], trips.sorted()[trips.count / 2])))
            }
        }
        let loaded = ProcessMemory.residentSummary(of: daemon.processID!)
        let stoppedStatus = daemon.stop()
        let verify = try LoyaltydBinary.run(["db", "verify", "--config", daemon.configPath])
        daemon.cleanUp()
        say(row("resident memory after the load", loaded + "  (target: within 10 MB of idle)"))
        say(row("stop, then db verify", "exit \(stoppedStatus.map(String.init) ?? "none"), " + (verify.status == 0 ? "clean" : "PROBLEMS: \(verify.stdout)")))
        say(String(repeating: "-", count: 78))
    }

    /// Quotes at a million members, for a member with a long history, under the plain and a 50-rule program.
    static func rulesFigures(members scaleMembers: Int) throws {
        let scale = try RulesAtScale.measure(members: scaleMembers, ledgerEntries: 10_000)
        say(row("rules at scale: seeding", String(format: "%d members + a %d-entry history in %.1f s", scale.members, scale.ledgerEntries, scale.seedSeconds)))
        say(row("  first quote after the start", String(format: "%.3f ms  (the first of %d warm-up quotes, none counted)", scale.firstQuote, RulesAtScale.warmUpQuotes)))
        say(row("  quote, member with a long history", scale.heavy.summary + "  (target p99 < 1 ms, p99.9 < 2 ms)"))
        say(row("  quote, members across the database", scale.ordinary.summary))
        let promotions = try RulesAtScale.measure(
            members: scaleMembers, ledgerEntries: 10_000, program: PromotionRules.program, codes: ["BENCH-3", "UNKNOWN-CODE"])
        say(row("  the same member, 50 promotion rules", promotions.heavy.summary + "  (codes, free items, limits: p99 as above)"))
        say(String(repeating: "-", count: 78))
    }

    /// The CSV member import at 100,000 and 1,000,000 members.
    static func importFigures() throws {
        let small = try MemberImport.measure(members: 100_000).first
        say(row("member import, 100,000 members (CSV)", String(format: "%.1f s, peak RSS %.1f MB", small.seconds, small.peakMegabytes)))
        let large = try MemberImport.measure(members: 1_000_000, again: true)
        say(row("member import, 1,000,000 members (CSV)", String(format: "%.1f s (target < 60 s), peak RSS %.1f MB", large.first.seconds, large.first.peakMegabytes)))
        if let again = large.again {
            say(row("  the same file again (no duplicates)", String(format: "%.1f s, peak RSS %.1f MB", again.seconds, again.peakMegabytes)))
        }
        say(String(repeating: "-", count: 78))
    }

    /// Decoder throughput, USB scan latency and contactless tap latency.
    static func readerFigures() throws {
        let decoding = DecodingThroughput.measure()
        say(row("keyboard reports through the decoder", String(format: "%.0f reports/s", decoding.keyboardReports)))
        say(row("magnetic tracks classified (bank card check)", String(format: "%.0f swipes/s", decoding.swipes)))
        if USBTestbedControl.prerequisites.ok {
            let sorted = try ScanLatency.measure(scans: 50).sorted()
            let p50 = sorted[sorted.count / 2]
            let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
            say(row("USB scan: last report → card.read (emulated)", String(format: "p50 %.2f ms  p99 %.2f ms over %d  (an upper bound; target p99 < 5 ms)", p50, p99, sorted.count)))
        } else {
            say(row("USB scan latency", "not measured: \(USBTestbedControl.prerequisites.missing)"))
        }
        say(String(repeating: "-", count: 78))
        try tapFigures()
    }

    /// The contactless tap figures, alone and with a stalled till subscribed, or why they were not measured.
    static func tapFigures() throws {
        if VirtualPCSC.prerequisites.ok {
            let taps = try TapLatency.measure(taps: 100)
            let sorted = taps.overheads.sorted()
            let p50 = sorted[sorted.count / 2]
            let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
            say(row("tap: pcscd reports card → till gets card.read", String(format: "p50 %.2f ms  p99 %.2f ms over %d taps  (target p99 < 5 ms)", p50, p99, sorted.count)))
            say(row("CPU used by the idle daemon over 5 s", String(format: "%.2f s  (readers watched, no card moving)", taps.idleCPUSeconds)))
            let stalled = try TapLatency.measure(taps: 100, stalledTill: true)
            let stalledSorted = stalled.overheads.sorted()
            say(row("  the same with a stalled till subscribed", String(
                format: "p50 %.2f ms  p99 %.2f ms over %d taps, %d stalled tills disconnected  (target p99 < 5 ms)",
                stalledSorted[stalledSorted.count / 2], stalledSorted[min(stalledSorted.count - 1, stalledSorted.count * 99 / 100)],
                stalledSorted.count, stalled.stalledTillsDisconnected)))
        } else {
            say(row("tap latency", "not measured: \(VirtualPCSC.prerequisites.missing)"))
        }
    }

    /// The chain's figures (issue 13), or why they were not measured.
    static func chainFigures(members: Int) throws {
        if TemporaryPostgres.binaries != nil {
            let chain = try ChainBench.measure(facts: 20_000, commits: 50, resyncMembers: members)
            say(row("chain: push_v1, 20,000 facts, batches of 500", String(format: "%.0f facts/s", chain.pushPerSecond)))
            say(row("  plain inserts of the same rows (same server)", String(format: "%.0f rows/s", chain.plainPerSecond)))
            say(row("  push ÷ plain inserts", chain.pushRatio.summary + "  (goal ≥ 0.5)"))
            let sorted = chain.convergence.sorted()
            say(row("chain: commit in A → balance seen in B", String(format: "p50 %.0f ms  p99 %.0f ms over %d  (goal p99 < 2 s)",
                sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)], sorted.count)))
            say(row("chain resync, \(chain.resyncMembers) members + cards", String(format: "%.1f s", chain.resyncSeconds)))
        } else {
            say(row("chain", "not measured: PostgreSQL is not installed"))
        }
        say(String(repeating: "-", count: 78))
    }

    /// Prints one line at once, unbuffered: a figure reaches the log even if a later part stops the bench.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func row(_ label: String, _ value: String) -> String {
        label.padding(toLength: 46, withPad: " ", startingAt: 0) + value
    }
}

/// Plain durable single-row transactions with the daemon's own pragmas, in the same directory
/// the daemon's database uses: the ceiling a commit over the socket is compared with. One
/// database for the whole run, measured in rounds between the figures compared with it.
final class RawSQLiteBaseline {
    private let directory: TemporaryDirectory
    private let pool: DatabasePool
    private var written = 0

    init() throws {
        directory = try TemporaryDirectory(prefix: "loyaltyd-raw")
        pool = try LoyaltyStore.openDatabase(path: directory.file("raw.sqlite"))
        guard try pool.write({ db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }) == 2 else {
            throw BenchmarkError(description: "the baseline is not synchronous=FULL")
        }
        try pool.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT NOT NULL)") }
    }

    /// Transactions per second over `transactions` single-row transactions.
    func measure(transactions: Int) throws -> Double {
        let start = ContinuousClock.now
        for _ in 0..<transactions {
            written += 1
            let value = "row \(written)"
            try pool.write { db in try db.execute(sql: "INSERT INTO t (value) VALUES (?)", arguments: [value]) }
        }
        return Double(transactions) / (ContinuousClock.now - start).seconds
    }

    func remove() {
        try? pool.close()
        directory.remove()
    }
}

/// Fills the database with members, each with a contactless card `04` + 12 hex digits of its number.
enum MemberSeed {
    static func seed(databasePath: String, members: Int) throws {
        // Create the schema through the daemon's own migrations, then bulk-insert with sqlite3.
        try LoyaltyStore(path: databasePath, storeID: "bench").close()
        let sql = """
            PRAGMA journal_mode=WAL;
            BEGIN;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(members))
            INSERT INTO members (id, status, created_at_ms) SELECT printf('bench-m%08d', i), 'active', 0 FROM n;
            INSERT INTO carriers (kind, value, member_id, status, created_at_ms)
                SELECT 'uid', printf('04%012X', rowid), id, 'active', 0 FROM members;
            INSERT INTO balances (member_id, points) SELECT id, 0 FROM members;
            COMMIT;
            SELECT COUNT(*) FROM members;
            """
        let output = SQLiteShell(path: databasePath).run(sql)
        guard output.contains("\(members)") else { throw BenchmarkError(description: "seeding failed: \(output)") }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
}

/// Reads a process's resident memory from /proc.
enum ProcessMemory {
    /// Resident memory and what it is: anonymous (heap, stacks, caches) and file-backed (code and
    /// read-only data of the binary and its libraries, shared and reclaimable), e.g. "37.2 MB (anon 4.3, files 32.9)".
    static func residentSummary(of pid: Int32) -> String {
        String(format: "%.1f MB (anon %.1f, files %.1f)",
            megabytes("VmRSS:", of: pid), megabytes("RssAnon:", of: pid), megabytes("RssFile:", of: pid))
    }

    private static func megabytes(_ field: String, of pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return -1 }
        return kilobytes / 1024
    }
}

extension ProcessMemory {
    /// The most memory a running process has had resident (VmHWM in /proc), in kilobytes; 0 once it is gone.
    static func peakResidentKilobytes(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// User and system CPU time a process has used, from /proc/PID/stat.
    static func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.split(separator: ")").last
        else { return -1 }
        let fields = afterName.split(separator: " ")
        // After the name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return -1 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
