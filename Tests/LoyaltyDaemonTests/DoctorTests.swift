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

    @Test func anInvalidConfigIsTheOnlyCheckReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "store: [".write(toFile: directory.file("bad.yaml"), atomically: true, encoding: .utf8)
        let doctor = try LoyaltydBinary.run(["doctor", "--config", directory.file("bad.yaml")])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.hasPrefix("FAIL  config:"))
    }
}
