import Foundation
import LoyaltyTestSupport
import Testing

/// `loyaltyd doctor` as a technician runs it: the real binary, its output and exit status.
@Suite struct DoctorTests {
    @Test func aHealthyDaemonPassesEveryCheck() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        _ = try daemon.client().result("member.enroll", .object([("card", .object([("kind", "barcode"), ("value", "123")]))]))
        let doctor = try LoyaltydBinary.run(["doctor", "--config", daemon.configPath])
        #expect(doctor.status == 0, "\(doctor.stdout)")
        for line in ["ok    config:", "ok    migrations: schema current", "ok    integrity:", "ok    balances:", "ok    till socket:", "skip  pcscd:", "ok    clock:"] {
            #expect(doctor.stdout.contains(line), "\(line) in\n\(doctor.stdout)")
        }
        let json = try LoyaltydBinary.run(["doctor", "--config", daemon.configPath, "--json"])
        #expect(json.stdout.hasPrefix("{\"ok\":true,"))
    }

    @Test func aStoppedDaemonAndADamagedDatabaseAreReportedWithWhatToDo() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        _ = try daemon.client().result("member.enroll", .object([("card", .object([("kind", "barcode"), ("value", "123")]))]))
        #expect(daemon.stop() == 0)
        var doctor = try LoyaltydBinary.run(["doctor", "--config", daemon.configPath])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("FAIL  till socket: \(daemon.socketPath) does not exist"))
        #expect(doctor.stdout.contains("→ start the daemon"))

        // Damage every page after the first (the header stays, so SQLite still opens the file).
        let size = (try FileManager.default.attributesOfItem(atPath: daemon.databasePath)[.size] as? NSNumber)?.intValue ?? 0
        #expect(size > 8_192, "a database with pages to damage")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: daemon.databasePath))
        for page in stride(from: 4096, to: size, by: 4096) {
            try handle.seek(toOffset: UInt64(page))
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 64))
        }
        try handle.close()
        doctor = try LoyaltydBinary.run(["doctor", "--config", daemon.configPath])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("FAIL  integrity:") || doctor.stdout.contains("FAIL  database:") || doctor.stdout.contains("FAIL  migrations:"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("restore the latest backup"))
    }

    /// Members enrolled with a phone's or bank card's random UID before such UIDs were refused
    /// (written here straight into the database, as every door now refuses them) are counted and
    /// listed by member id, never by name, with what to do.
    @Test func membersEnrolledWithARandomUIDAreListedByNumber() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let till = try daemon.client()
        func enroll(_ name: String, _ barcode: String) throws -> String {
            let member = try till.result("member.enroll", .object([
                ("card", .object([("kind", "barcode"), ("value", .string(barcode))])), ("name", .string(name)), ("consent", true),
            ]))
            return try #require(member["member_id"].flatMap { if case .string(let id) = $0 { id } else { nil } })
        }
        let anna = try enroll("Anna Schmidt", "2900000011112")
        let ben = try enroll("Ben Okafor", "2900000022224")
        let clara = try enroll("Clara Rossi", "2900000033336")
        var doctor = try LoyaltydBinary.run(["doctor", "--config", daemon.configPath])
        #expect(doctor.stdout.contains("ok    random UIDs: no member's card is a random UID"), "\(doctor.stdout)")

        let database = SQLiteShell(path: daemon.databasePath)
        _ = database.run("""
            INSERT INTO carriers (kind, value, member_id, created_at_ms) VALUES
              ('uid', '08A1B2C3', '\(anna)', 0), ('uid', '08D4E5F6', '\(anna)', 0), ('uid', '0811AA22', '\(ben)', 0),
              ('uid', '08A1B2C3D4E5F6', '\(clara)', 0);
            INSERT INTO carriers (kind, value, member_id, status, created_at_ms) VALUES ('uid', '08FFFFFF', '\(clara)', 'lost', 0);
            """)
        doctor = try LoyaltydBinary.run(["doctor", "--config", daemon.configPath])
        #expect(doctor.status == 1)
        let line = try #require(doctor.stdout.split(separator: "\n").first { $0.hasPrefix("FAIL  random UIDs:") }, "\(doctor.stdout)")
        // Anna (two random UIDs) and Ben; not Clara: a 7-byte UID starting 08 is not random, a lost card is no carrier.
        #expect(line.contains("2 member(s) enrolled with a random UID"), "\(line)")
        #expect(line.hasSuffix(": " + [anna, ben].sorted().joined(separator: ", ")), "\(line)")
        #expect(!line.contains(clara))
        #expect(doctor.stdout.contains("→ at each one's next visit"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("loyaltyd card unlink --card uid:08…"))
        for name in ["Anna", "Ben", "Schmidt", "Okafor"] { #expect(!doctor.stdout.contains(name), "no member name: \(name)") }
        let json = try LoyaltydBinary.run(["doctor", "--config", daemon.configPath, "--json"]).stdout
        #expect(json.contains(#""name":"random UIDs","result":"FAIL""#), "\(json)")
    }

    @Test func anInvalidConfigIsTheOnlyCheckReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "store: [".write(toFile: directory.file("bad.yaml"), atomically: true, encoding: .utf8)
        let doctor = try LoyaltydBinary.run(["doctor", "--config", directory.file("bad.yaml")])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.hasPrefix("FAIL  config:"))
    }
}
