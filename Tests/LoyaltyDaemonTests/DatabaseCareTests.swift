import Foundation
import LoyaltyTestSupport
import Testing
import TillProtocol

/// `loyaltyd db backup|vacuum` and `loyaltyd log`, run as a technician runs them, next to a running daemon.
@Suite struct DatabaseCareTests {
    @Test func vacuumGivesFreePagesBackAndKeepsTheData() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let list = database.directory.file("members.csv")
        try MemberListCSV.write(to: list, members: 1...3_000)
        #expect(try database.run(["member", "import", list, "--consent"]).status == 0)
        _ = database.sql("DELETE FROM carriers WHERE member_id IN (SELECT id FROM members WHERE name > 'Member 2');")
        let vacuum = try database.run(["db", "vacuum"])
        #expect(vacuum.status == 0, "\(vacuum.stderr)")
        let numbers = vacuum.stdout.components(separatedBy: ": ").last!.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count == 3 && numbers[1] > 0 && numbers[2] < numbers[0], "before, free pages, after: \(vacuum.stdout)")
        #expect(database.sql("PRAGMA freelist_count;") == "0")
        #expect(database.sql("SELECT COUNT(*) FROM members;") == "3000")
        #expect(try database.run(["db", "verify"]).status == 0)
    }

    @Test func aBackupWhileTheDaemonRunsIsCompleteAndChecked() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let till = try daemon.client()
        _ = try till.result("member.enroll", .object([("card", .object([("kind", "barcode"), ("value", "123")]))]))
        for number in 1...5 {
            _ = try till.result("purchase.commit", .object([
                ("till_id", "lane-1"), ("transaction_id", .string("T\(number)")),
                ("card", .object([("kind", "barcode"), ("value", "123")])), ("total", "100.00"),
            ]))
        }
        let destination = daemon.directory.file("backup.sqlite")
        let backup = try LoyaltydBinary.run(["db", "backup", destination, "--config", daemon.configPath])
        #expect(backup.status == 0, "\(backup.stdout)\(backup.stderr)")
        #expect(backup.stdout.contains("result: clean"))
        #expect(SQLiteShell(path: destination).run("SELECT COUNT(*) FROM purchases;").hasPrefix("5"))
        #expect(SQLiteShell(path: destination).run("SELECT points FROM balances;").hasPrefix("1425"))
        let again = try LoyaltydBinary.run(["db", "backup", destination, "--config", daemon.configPath])
        #expect(again.status == 1, "an existing file is never overwritten")
    }

    @Test func theLogShowsEventsReadablyAndFiltersThem() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        _ = try daemon.client().result("member.enroll", .object([("card", .object([("kind", "uid"), ("value", "04A1B2C3D4E5F6")]))]))
        let log = try LoyaltydBinary.run(["log", "--config", daemon.configPath])
        #expect(log.status == 0)
        #expect(log.stdout.contains(" daemon.start version "))
        #expect(log.stdout.contains(" member.enroll card=uid:**********E5F6 member=test-store-"))
        let filtered = try LoyaltydBinary.run(["log", "--config", daemon.configPath, "--kind", "member.enroll"])
        #expect(!filtered.stdout.contains("daemon.start"))
        let future = try LoyaltydBinary.run(["log", "--config", daemon.configPath, "--since", "2100-01-01"])
        #expect(future.stdout.isEmpty)
        let bad = try LoyaltydBinary.run(["log", "--config", daemon.configPath, "--since", "yesterday"])
        #expect(bad.status == 64)
    }
}
