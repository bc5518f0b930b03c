import Foundation
import LoyaltyTestSupport
import Synchronization
import Testing
import TillClient
import TillProtocol

/// Issue 7, items 1 and 2: the real daemon killed with SIGKILL at random moments while tills
/// commit as fast as they can, retrying whatever they did not see acknowledged (after a kill, after
/// their own timeout, twice at once on two connections). Afterwards the database holds every
/// acknowledged commit exactly once and nothing else. `make stress` kills 20 times and makes
/// 10,000 retries; `make test` 3 and a few hundred.
@Suite struct CrashRecoveryTests {
    /// Set by the test when the tills should finish their current commit and stop.
    final class Running: Sendable {
        private let flag = Atomic<Bool>(true)
        var isOn: Bool { flag.load(ordering: .relaxed) }
        func stop() { flag.store(false, ordering: .relaxed) }
    }

    @Test func killedUnderLoadNothingIsLostOrCountedTwice() throws {
        let kills = StressRun.count(test: 3, stress: 20)
        let wantedRetries = StressRun.count(test: 300, stress: 10_000)
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let tills = (0..<4).map { SimulatedTill(socketPath: daemon.socketPath, tillID: "lane-\($0 + 1)", card: SimulatedTill.card($0)) }
        for till in tills { try till.enroll() }

        let running = Running()
        let finished = DispatchGroup()
        for (index, till) in tills.enumerated() {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                var sequence = 0
                while running.isOn {
                    sequence += 1
                    let transaction = "T\(index)-\(sequence)"
                    let total = "\(Int.random(in: 1...300)).\(String(format: "%02d", Int.random(in: 0...99)))"
                    let deadline = Date().addingTimeInterval(120)
                    switch Int.random(in: 0..<10) {
                    case 0..<4:
                        till.commit(transaction, total: total, deadline: deadline)
                    case 4..<6:
                        // The till's own timeout fires before the answer: it resends on a new connection.
                        till.commit(transaction, total: total, impatient: true, deadline: deadline)
                    case 6..<8:
                        // The answer was acknowledged but the till did not see it: it resends, on the
                        // same connection or on a new one.
                        till.commit(transaction, total: total, deadline: deadline)
                        if Bool.random() { till.disconnect() }
                        till.commit(transaction, total: total, deadline: deadline)
                    default:
                        // Two retries of one transaction cross on two connections.
                        _ = till.commitTwice(transaction, total: total)
                        till.commit(transaction, total: total, deadline: deadline)
                    }
                }
            }
        }

        var killsSurvived = 0
        for _ in 0..<kills {
            usleep(UInt32.random(in: 150_000...1_200_000))
            daemon.kill()
            try daemon.start()
            killsSurvived += 1
        }
        let retriesDeadline = Date().addingTimeInterval(StressRun.isOn ? 900 : 120)
        while tills.map(\.retries).reduce(0, +) < wantedRetries, Date() < retriesDeadline { usleep(100_000) }
        running.stop()
        #expect(finished.wait(timeout: .now() + 180) == .success, "every till settled its last commit")
        #expect(daemon.stop() == 0, "\(daemon.log.suffix(2000))")

        for till in tills { #expect(till.problems.isEmpty, "\(till.tillID): \(till.problems.prefix(5))") }
        let retries = tills.map(\.retries).reduce(0, +)
        #expect(retries >= wantedRetries)

        // What the tills saw acknowledged, against what the database holds.
        var acknowledged: [String: Int64] = [:]
        for till in tills {
            for (transaction, result) in till.acknowledged { acknowledged["\(till.tillID) \(transaction)"] = result["points_earned"]?.int64 }
        }
        let shell = SQLiteShell(path: daemon.databasePath)
        var stored: [String: Int64] = [:]
        for row in shell.run("SELECT till_id || ' ' || transaction_id || '|' || points_earned FROM purchases WHERE state = 'committed';").split(separator: "\n") {
            let parts = row.split(separator: "|")
            stored[String(parts[0])] = Int64(parts[1])
        }
        let missing = acknowledged.keys.filter { stored[$0] == nil }
        let unacknowledged = stored.keys.filter { acknowledged[$0] == nil }
        let differing = acknowledged.filter { stored[$0.key] != nil && stored[$0.key] != $0.value }
        func count(_ sql: String) -> Int { Int(shell.run(sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        let duplicates = count("SELECT COUNT(*) FROM (SELECT 1 FROM purchases GROUP BY till_id, transaction_id HAVING COUNT(*) > 1);")
            + count("SELECT COUNT(*) FROM (SELECT 1 FROM ledger WHERE purchase_id IS NOT NULL GROUP BY purchase_id, kind HAVING COUNT(*) > 1);")
        let halfThere = count("""
            SELECT COUNT(*) FROM purchases p WHERE p.state = 'committed' AND NOT EXISTS
              (SELECT 1 FROM ledger l WHERE l.purchase_id = p.id AND l.kind = 'earn' AND l.points = p.points_earned);
            """) + count("SELECT COUNT(*) FROM ledger l WHERE l.purchase_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.id = l.purchase_id);")
        #expect(missing.isEmpty, "acknowledged but not in the database: \(missing.prefix(5))")
        #expect(unacknowledged.isEmpty, "in the database but never acknowledged: \(unacknowledged.prefix(5))")
        #expect(differing.isEmpty, "stored points differ from the acknowledged ones: \(differing.prefix(5))")
        #expect(duplicates == 0)
        #expect(halfThere == 0, "a purchase without its ledger entry, or the other way round")
        for till in tills {
            let balance = shell.run("SELECT points FROM balances WHERE member_id = '\(till.memberID ?? "")';").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(balance == String(till.expectedBalance), "\(till.tillID)'s member holds what its acknowledgements add up to")
        }
        let integrity = shell.run("PRAGMA integrity_check;").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(integrity == "ok")
        let verify = try LoyaltydBinary.run(["db", "verify", "--config", daemon.configPath])
        #expect(verify.status == 0 && verify.stdout.contains("result: clean"), "\(verify.stdout)\(verify.stderr)")

        StressRun.report("kill-9", [
            "tills": tills.count, "kills_survived": killsSurvived, "commits_acknowledged": acknowledged.count,
            "found": stored.count, "missing": missing.count, "unacknowledged_found": unacknowledged.count,
            "duplicates": duplicates, "half_written": halfThere, "integrity_check": integrity,
            "db_verify": verify.status == 0 ? "clean" : "FAILED",
        ])
        StressRun.report("retries", [
            "retries": retries, "after_own_timeout": tills.map(\.timedOutRetries).reduce(0, +),
            "on_new_connection": tills.map(\.retriesOnNewConnection).reduce(0, +),
            "connections_lost_to_kills": tills.map(\.lostConnections).reduce(0, +),
            "points_awarded_twice": duplicates,
        ])
    }
}
