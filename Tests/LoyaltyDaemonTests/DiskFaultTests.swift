import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// Issue 7, item 6: the database's disk fills up, or turns read-only, under the running daemon.
/// A commit then gets `storage_unavailable`, reads and quotes go on, and once the disk is usable
/// again the till's retry commits exactly once and nothing is damaged. Needs root (CI is root).
@Suite(.serialized) struct DiskFaultTests {
    func reason(_ response: JSONValue) -> String? {
        guard case .string(let reason)? = response["error"]?["data"]?["reason"] else { return nil }
        return reason
    }

    /// A till's commit outcome: acknowledged, or refused with `storage_unavailable` (its message).
    enum Outcome {
        case acknowledged
        case refused(String)
    }

    func commit(_ till: TillClient, _ member: SimulatedTill, _ transaction: String) throws -> Outcome {
        let response = try till.call("purchase.commit", member.purchase(transaction, total: "10.00"), timeoutMilliseconds: 30_000)
        if response["result"] != nil { return .acknowledged }
        guard reason(response) == "storage_unavailable", case .string(let message)? = response["error"]?["message"] else {
            Issue.record("unexpected answer: \(JSONWriter.string(of: response))")
            return .refused("")
        }
        return .refused(message)
    }

    /// Starts the daemon and enrols the member whose till commits throughout the test.
    func startWithAMember(_ daemon: TemporaryDaemon) throws -> (SimulatedTill, TillClient) {
        try daemon.start()
        let member = SimulatedTill(socketPath: daemon.socketPath, tillID: "lane-1", card: SimulatedTill.card(1))
        try member.enroll()
        return (member, try daemon.client())
    }

    /// The checks after a fault: the daemon stopped, every acknowledged commit there once, the
    /// ledger matching the balances, SQLite's integrity check clean.
    func checkDatabase(_ daemon: TemporaryDaemon, acknowledged: [String]) throws -> (found: Int, integrity: String, verify: String) {
        let shell = SQLiteShell(path: daemon.databasePath)
        let stored = shell.run("SELECT transaction_id FROM purchases WHERE state = 'committed';").split(separator: "\n").map(String.init)
        #expect(stored.sorted() == acknowledged.sorted(), "exactly the acknowledged commits, each once")
        let integrity = shell.run("PRAGMA integrity_check;").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(integrity == "ok")
        let verify = try LoyaltydBinary.run(["db", "verify", "--config", daemon.configPath])
        #expect(verify.status == 0 && verify.stdout.contains("result: clean"), "\(verify.stdout)\(verify.stderr)")
        return (stored.count, integrity, verify.status == 0 ? "clean" : "FAILED")
    }

    /// Reads and a quote while writes fail: all must still be answered.
    func readsStillWork(_ till: TillClient, _ member: SimulatedTill, balance: Int64) throws -> Int {
        let looked = try till.result("member.lookup", .object([("card", member.card)]))
        #expect(looked["balance"]?.int64 == balance)
        let quote = try till.result("purchase.quote", member.purchase("Q-\(UUID().uuidString.prefix(8))", total: "100.00"))
        #expect(quote["points_earned"] == .integer(285))
        #expect(try till.result("status")["store_id"] == "test-store")
        return 3
    }

    @Test(.requires(ScratchFilesystem.prerequisites.ok, ScratchFilesystem.prerequisites.missing))
    func aFullDiskRefusesCommitsClearlyAndNothingIsLost() throws {
        let disk = try ScratchFilesystem.tmpfs(sizeKiB: 4_096)
        let daemon = try TemporaryDaemon { $0.databasePath = disk.file("loyaltyd.sqlite") }
        defer { daemon.cleanUp() }
        let (member, till) = try startWithAMember(daemon)
        var acknowledged: [String] = []
        for index in 1...5 {
            if case .acknowledged = try commit(till, member, "before-\(index)") { acknowledged.append("before-\(index)") }
        }
        #expect(acknowledged.count == 5)

        let filled = try disk.fill()
        // The WAL may still have room for a commit or two; then the disk is full for good.
        var refusal: (transaction: String, message: String)?
        for index in 1...2_000 where refusal == nil {
            switch try commit(till, member, "full-\(index)") {
            case .acknowledged: acknowledged.append("full-\(index)")
            case .refused(let message): refusal = ("full-\(index)", message)
            }
        }
        let refused = try #require(refusal, "a commit on a full disk is refused")
        #expect(refused.message.contains("the disk is full"), "\(refused.message)")
        let balance = Int64(acknowledged.count) * 29  // 10.00 - 5% = 9.50 → 28.5 → 29 points each
        var readsAnswered = try readsStillWork(till, member, balance: balance)
        if case .acknowledged = try commit(try daemon.client(), member, refused.transaction) {
            Issue.record("a commit was acknowledged while the disk is still full")
        }
        readsAnswered += try readsStillWork(try daemon.client(), member, balance: balance)
        #expect(daemon.isRunning)

        disk.releaseFiller()
        // A till retries until it is answered; on a loaded machine the first retry can still meet the
        // writer's busy timeout. What matters: it is committed, and (below) only once.
        var refusals: [String] = []
        var committed = false
        for _ in 0..<10 where !committed {
            switch try commit(till, member, refused.transaction) {
            case .acknowledged: committed = true
            case .refused(let message): refusals.append(message); usleep(300_000)
            }
        }
        guard committed else {
            Issue.record("the till's retry is committed once the space is back; refusals: \(refusals)")
            return
        }
        acknowledged.append(refused.transaction)
        for index in 1...3 {
            if case .acknowledged = try commit(till, member, "after-\(index)") { acknowledged.append("after-\(index)") }
        }
        #expect(try till.result("member.lookup", .object([("card", member.card)]))["balance"]?.int64 == Int64(acknowledged.count) * 29)
        #expect(daemon.stop() == 0)
        let checked = try checkDatabase(daemon, acknowledged: acknowledged)
        StressRun.report("full_disk", [
            "filler_bytes": filled, "commits_acknowledged": acknowledged.count, "found": checked.found,
            "refused_with": "storage_unavailable", "reads_answered_while_full": readsAnswered,
            "integrity_check": checked.integrity, "db_verify": checked.verify,
        ])
    }

    @Test(.requires(ScratchFilesystem.prerequisites.ok, ScratchFilesystem.prerequisites.missing))
    func aDiskTurningReadOnlyRefusesCommitsClearlyAndNothingIsLost() throws {
        let disk = try ScratchFilesystem.ext4(sizeMiB: 16)
        let daemon = try TemporaryDaemon { $0.databasePath = disk.file("loyaltyd.sqlite") }
        defer { daemon.cleanUp() }
        let (member, till) = try startWithAMember(daemon)
        var acknowledged: [String] = []
        for index in 1...5 {
            if case .acknowledged = try commit(till, member, "before-\(index)") { acknowledged.append("before-\(index)") }
        }
        #expect(acknowledged.count == 5)

        try disk.forceError()
        let refusal = try commit(till, member, "ro-1")
        guard case .refused(let message) = refusal else {
            Issue.record("a commit on a read-only disk is refused")
            return
        }
        #expect(message.contains("read-only") || message.contains("I/O error"), "\(message)")
        var readsAnswered = try readsStillWork(till, member, balance: 5 * 29)
        readsAnswered += try readsStillWork(try daemon.client(), member, balance: 5 * 29)
        #expect(daemon.isRunning)

        // A read-only ext4 stays so until it is checked: the technician stops the daemon, repairs
        // the disk and starts it again; the till's retry then goes through once.
        #expect(daemon.stop() != nil, "the daemon stops on SIGTERM even with its disk read-only")
        try disk.repair()
        try daemon.start()
        let retried = try commit(try daemon.client(), member, "ro-1")
        guard case .acknowledged = retried else {
            Issue.record("the till's retry is committed once the disk is repaired")
            return
        }
        acknowledged.append("ro-1")
        #expect(daemon.stop() == 0)
        let checked = try checkDatabase(daemon, acknowledged: acknowledged)
        StressRun.report("read_only_disk", [
            "commits_acknowledged": acknowledged.count, "found": checked.found, "refused_with": "storage_unavailable",
            "reads_answered_while_read_only": readsAnswered, "integrity_check": checked.integrity, "db_verify": checked.verify,
        ])
    }
}
