import Foundation
import LoyaltyTestSupport
import Testing
import TillProtocol

/// The domain's rules hold on every door into the same data (issue 11): the till socket, the
/// technician commands and the member list import refuse the same bank cards and the same
/// malformed identifiers, through the real binary and a real SQLite file.
@Suite struct EveryDoorTests {
    /// A test card number (Visa's), in the three forms a bank card reaches a door: track 1 with format
    /// code B, track 2 with expiry and service code, and track 2 typed without sentinels.
    static let pan = "4111111111111111"
    static let bankCards = [
        "track:%B\(pan)^DOE/JOHN^2512101000000000000?",
        "track:;\(pan)=25121010000000000000?",
        "barcode:\(pan)=2512101",
    ]

    func reason(_ response: JSONValue) -> String? {
        guard case .string(let reason)? = response["error"]?["data"]?["reason"] else { return nil }
        return reason
    }

    func message(_ response: JSONValue) -> String {
        guard case .string(let message)? = response["error"]?["message"] else { return "" }
        return message
    }

    func card(_ text: String) -> JSONValue {
        let colon = text.firstIndex(of: ":")!
        return .object([("kind", .string(String(text[..<colon]))), ("value", .string(String(text[text.index(after: colon)...])))])
    }

    /// The database file and its WAL, as bytes, with every text form the number could take.
    func databaseHoldsNumber(_ path: String) -> Bool {
        for file in [path, path + "-wal"] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            if data.range(of: Data(Self.pan.utf8)) != nil { return true }
        }
        return false
    }

    @Test func aBankCardIsRefusedByTheTillWithItsLastFourDigitsAtMost() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let till = try daemon.client()
        _ = try till.result("member.enroll", .object([("card", card("barcode:2900000000001"))]))
        for text in Self.bankCards {
            let requests: [(String, JSONValue)] = [
                ("member.enroll", .object([("card", card(text))])),
                ("member.lookup", .object([("card", card(text))])),
                ("purchase.quote", .object([("till_id", "lane-1"), ("transaction_id", "T1"), ("card", card(text)), ("total", "10.00")])),
                ("purchase.commit", .object([("till_id", "lane-1"), ("transaction_id", "T1"), ("card", card(text)), ("total", "10.00")])),
            ]
            for (method, params) in requests {
                let response = try till.call(method, params)
                #expect(reason(response) == "invalid_params", "\(method) \(text)")
                #expect(message(response) == "card: a bank card ending 1111 cannot identify a member; it was not kept", "\(method)")
            }
        }
        #expect(daemon.stop() == 0)
        #expect(!databaseHoldsNumber(daemon.databasePath))
        #expect(!daemon.log.contains(Self.pan))
    }

    @Test func aBankCardIsRefusedByEveryTechnicianCommandAndTheImport() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let added = try database.run(["member", "add", "--card", "barcode:2900000000001"])
        #expect(added.status == 0, "\(added.stderr)")
        let memberID = String(added.stdout.split(separator: " ")[1])
        for text in Self.bankCards {
            let commands: [[String]] = [
                ["member", "add", "--card", text],
                ["card", "link", "--card", text, "--member", memberID],
                ["card", "block", "--card", text],
                ["card", "unlink", "--card", text],
                ["member", "find", "--card", text],
                ["member", "show", "--card", text],
                ["till", "quote", "--till", "lane-1", "--transaction", "T1", "--card", text, "--total", "10.00"],
                ["till", "commit", "--till", "lane-1", "--transaction", "T1", "--card", text, "--total", "10.00"],
                ["till", "lookup", "--card", text],
                ["card", "unblock", "--card", text],
                ["member", "block", "--card", text],
                ["member", "unblock", "--card", text],
                ["member", "merge", "--card", text, "--into", memberID],
            ]
            for command in commands {
                let result = try database.run(command)
                #expect(result.status == 64, "\(command): \(result.stderr)")
                #expect(result.stderr.contains("a bank card ending 1111 cannot identify a member; it was not kept"), "\(command): \(result.stderr)")
                #expect(!(result.stdout + result.stderr).contains(Self.pan), "\(command) printed the number back")
            }
        }
        let list = database.directory.file("members.csv")
        try "card,name\nbarcode:2900000000002,\n\(Self.bankCards[1]),\nbarcode:2900000000003,\n"
            .write(toFile: list, atomically: true, encoding: .utf8)
        let imported = try database.run(["member", "import", list, "--skip-invalid"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect((imported.stdout + imported.stderr).contains("members.csv:3: card: a bank card ending 1111 cannot identify a member; it was not kept"),
                "\(imported.stdout)\(imported.stderr)")
        #expect(!(imported.stdout + imported.stderr).contains(Self.pan))
        #expect(database.sql("SELECT COUNT(*) FROM carriers;") == "3", "the two store cards of the list and the first member's")
        #expect(!databaseHoldsNumber(database.databasePath))
    }

    /// Written by a version before the domain refused them (or by hand): `db verify` and `doctor`
    /// report them masked, `db migrate` blocks them and keeps only a masked marker.
    @Test func bankCardsAtRestAreReportedAndMasked() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        // Seed the database the old way: as the schema was before migration 004, with the rows
        // `member add --card track:…` wrote then.
        let seeded = database.sql("""
            DELETE FROM grdb_migrations WHERE identifier LIKE '004-%';
            INSERT INTO members (id, status, created_at_ms) VALUES ('old-1', 'active', 1), ('old-2', 'active', 2);
            INSERT INTO carriers (kind, value, member_id, created_at_ms) VALUES
                ('track', ';\(Self.pan)=25121010000000000000?', 'old-1', 1),
                ('track', '%B\(Self.pan)^DOE/JOHN^2512101000000000000?', 'old-1', 1),
                ('barcode', '6001234567', 'old-2', 2),
                ('track', ';6001234567=?', 'old-2', 2);
            """)
        #expect(seeded.isEmpty, "\(seeded)")

        let verify = try database.run(["db", "verify"])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("bank cards: 2 bank card number(s) stored as cards"), "\(verify.stdout)")
        #expect(verify.stdout.contains("  track:****1111 of member old-1"))
        #expect(!verify.stdout.contains(Self.pan))
        let doctor = try database.run(["doctor"])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("FAIL  bank cards: 2 bank card number(s) stored as cards: track:****1111, track:****1111"), "\(doctor.stdout)")
        #expect(!doctor.stdout.contains(Self.pan))

        let migrate = try database.run(["db", "migrate"])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("applied: 004-no-bank-cards-at-rest"))
        #expect(database.sql("SELECT value, status FROM carriers WHERE member_id = 'old-1' ORDER BY value;")
            == "bank-card-removed-****1111|blocked\nbank-card-removed-****1111-2|blocked")
        #expect(database.sql("SELECT value, status FROM carriers WHERE member_id = 'old-2' ORDER BY kind;")
            == "6001234567|active\n;6001234567=?|active", "store cards stay as they were")
        #expect(database.sql("SELECT detail FROM events WHERE kind = 'bank_cards_masked';").hasPrefix("count=2 "))
        #expect(try database.run(["db", "verify"]).status == 0)

        // Stored by hand after the migration: reported again, and `db migrate` masks it again.
        _ = database.sql("INSERT INTO carriers (kind, value, member_id, created_at_ms) VALUES ('barcode', '\(Self.pan)=2512101', 'old-2', 3);")
        #expect(try database.run(["db", "verify"]).status == 1)
        let again = try database.run(["db", "migrate"])
        #expect(again.stdout.contains("the schema is current\nblocked and masked 1 bank card number(s) stored as cards: barcode:****1111"), "\(again.stdout)")
        #expect(try database.run(["db", "verify"]).status == 0)
        _ = database.sql("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;")
        #expect(!databaseHoldsNumber(database.databasePath))
    }

    /// Every control character, in every identifier and in the name, is refused naming the field;
    /// what is accepted is stored byte for byte.
    @Test func controlCharactersAreRefusedAndNothingIsTruncated() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let till = try daemon.client()
        let member = try till.result("member.enroll", .object([("card", card("barcode:2900000000001"))]))
        func purchase(till tillID: String, transaction: String, sku: String = "A1", category: String = "food") -> JSONValue {
            .object([
                ("till_id", .string(tillID)), ("transaction_id", .string(transaction)), ("card", card("barcode:2900000000001")),
                ("total", "10.00"), ("lines", .array([.object([("sku", .string(sku)), ("category", .string(category)), ("amount", "10.00")])])),
            ])
        }
        let controls = (0x00...0x1F).map { Unicode.Scalar($0)! } + (0x7F...0x9F).map { Unicode.Scalar($0)! }
            + [Unicode.Scalar(0x2028)!, Unicode.Scalar(0x2029)!]
        for scalar in controls {
            let bad = "lane\(Character(scalar))1"
            let hex = String(format: "%04X", scalar.value)
            let cases: [(String, JSONValue, String)] = [
                ("purchase.commit", purchase(till: bad, transaction: "T"), "till_id"),
                ("purchase.commit", purchase(till: "lane-1", transaction: bad), "transaction_id"),
                ("purchase.quote", purchase(till: "lane-1", transaction: "T", sku: bad), "lines[0].sku"),
                ("purchase.quote", purchase(till: "lane-1", transaction: "T", category: bad), "lines[0].category"),
                ("purchase.refund", .object([("till_id", "lane-1"), ("transaction_id", "T"), ("refund_id", .string(bad))]), "refund_id"),
                ("purchase.void", .object([("till_id", "lane-1"), ("transaction_id", .string(bad))]), "transaction_id"),
                ("member.lookup", .object([("member_id", .string(bad))]), "member_id"),
                ("member.enroll", .object([("card", card("barcode:2900000000009")), ("name", .string(bad)), ("consent", true)]), "name"),
                ("sale.record", .object([("till_id", .string(bad)), ("transaction_id", "S1"), ("total", "1.00")]), "till_id"),
            ]
            for (method, params, field) in cases {
                let response = try till.call(method, params)
                #expect(reason(response) == "invalid_params", "\(method) U+\(hex) in \(field)")
                #expect(message(response) == "\(field): holds the control character U+\(hex); only printable text is accepted",
                        "\(method): \(message(response))")
            }
        }
        // The NUL case of the issue: two different keys never become one.
        #expect(reason(try till.call("purchase.commit", purchase(till: "lane-1\u{0}x", transaction: "N1"))) == "invalid_params")
        let plain = try till.result("purchase.commit", purchase(till: "lane-1", transaction: "N1"))
        #expect(plain["points_earned"] != nil)
        #expect(message(try till.call("purchase.commit", purchase(till: String(repeating: "x", count: 65), transaction: "L")))
            == "till_id: 65 bytes, longer than the maximum of 64 bytes")

        // Printable text of any script is kept exactly, up to the limit.
        let lane = "Kasse Ü-1 🛒"
        let transaction = String(repeating: "é", count: 64)  // 128 bytes: the limit
        #expect(try till.call("purchase.commit", purchase(till: lane, transaction: transaction))["result"] != nil)
        let name = "Zoë 🙂 \u{200D}x"
        _ = try till.result("member.enroll", .object([("card", card("barcode:2900000000002")), ("name", .string(name)), ("consent", true)]))
        let empty = try till.result("member.enroll", .object([("card", card("barcode:2900000000003")), ("name", ""), ("consent", false)]))
        #expect(daemon.stop() == 0)
        let shell = SQLiteShell(path: daemon.databasePath)
        #expect(shell.run("SELECT hex(till_id), hex(transaction_id) FROM purchases WHERE till_id <> 'lane-1';")
            == "\(hex(lane))|\(hex(transaction))\n")
        #expect(shell.run("SELECT hex(name) FROM members WHERE name IS NOT NULL;") == "\(hex(name))\n")
        guard case .string(let emptyID)? = empty["member_id"] else { Issue.record("no member id"); return }
        #expect(shell.run("SELECT name IS NULL FROM members WHERE id = '\(emptyID)';") == "1\n", "an empty name is no name")
        #expect(member["member_id"] != nil)
    }

    func hex(_ text: String) -> String { text.utf8.map { String(format: "%02X", $0) }.joined() }

    @Test func technicianCommandsCheckIdentifiersAsTheTillDoes() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let cases: [([String], String)] = [
            (["member", "add", "--card", "barcode:1", "--group", "staff\u{1B}[2J"], "--group: holds the control character U+001B"),
            (["member", "add", "--card", "barcode:1", "--name", "x\u{7F}y", "--consent"], "--name: holds the control character U+007F"),
            (["member", "find", "--group", "a\tb"], "--group: holds the control character U+0009"),
            (["member", "show", "--member", "m\u{1B}1"], "--member: holds the control character U+001B"),
            (["card", "link", "--card", "barcode:5", "--member", "m\u{85}1"], "--member: holds the control character U+0085"),
            (["member", "merge", "--member", "a", "--into", "b\u{1}"], "--into: holds the control character U+0001"),
            (["till", "void", "--till", "lane\u{1B}1", "--transaction", "T"], "--till: holds the control character U+001B"),
            (["member", "add", "--card", "barcode:1", "--group", String(repeating: "g", count: 65)], "--group: 65 bytes, longer than the maximum of 64 bytes"),
        ]
        for (command, expected) in cases {
            let result = try database.run(command)
            #expect(result.status == 64, "\(command)")
            #expect(result.stderr.contains(expected), "\(command): \(result.stderr)")
        }
        #expect(database.sql("SELECT COUNT(*) FROM members;") == "0")

        let list = database.directory.file("members.csv")
        try "card,name,group\nbarcode:10,Ann,staff\nbarcode:11,\"B\u{1B}[31mob\",\nbarcode:12,,te\u{0}am\nbarcode:13,,\n"
            .write(toFile: list, atomically: true, encoding: .utf8)
        let imported = try database.run(["member", "import", list, "--consent", "--skip-invalid"])
        let output = imported.stdout + imported.stderr
        #expect(output.contains("members.csv:3: name: holds the control character U+001B"), "\(output)")
        #expect(output.contains("members.csv:4: group: holds the control character U+0000"), "\(output)")
        #expect(database.sql("SELECT COUNT(*) FROM members;") == "2")
    }

    /// Only `serve` and `db migrate` create a database; everything else names the missing file.
    @Test func noCommandCreatesADatabaseAtAMistypedPath() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let missing = database.directory.file("mistyped.sqlite")
        try "card\nbarcode:1\n".write(toFile: database.directory.file("list.csv"), atomically: true, encoding: .utf8)
        let commands: [[String]] = [
            ["db", "verify"], ["db", "vacuum"], ["db", "backup", database.directory.file("copy.sqlite")], ["log"],
            ["member", "show", "--member", "x"], ["member", "find", "--name", "x"], ["member", "add", "--card", "barcode:1"],
            ["card", "block", "--card", "barcode:1"], ["report", "--from", "2026-01-01", "--to", "2026-01-02"], ["member", "export", database.directory.file("out.csv")],
            ["card", "link", "--card", "barcode:1", "--member", "m1"], ["member", "block", "--member", "m1"],
            ["member", "merge", "--member", "m1", "--into", "m2"], ["member", "import", database.directory.file("list.csv")],
        ]
        for command in commands {
            let result = try database.run(command + ["--database", missing])
            #expect(result.status == 1, "\(command): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("the database \(missing) does not exist"), "\(command): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one clear line: \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: missing), "\(command) created \(missing)")
        }
        #expect(!FileManager.default.fileExists(atPath: database.directory.file("copy.sqlite")))
        let migrate = try database.run(["db", "migrate", "--database", missing])
        #expect(migrate.status == 0)
        #expect(migrate.stdout.hasPrefix("creating the database \(missing)\n"))
        #expect(FileManager.default.fileExists(atPath: missing))
    }

    @Test func aBackupIsOwnerOnlySelfContainedAndNeverOverwritten() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        #expect(try database.run(["member", "add", "--card", "barcode:2900000000001", "--name", "Anna", "--consent"]).status == 0)
        let copy = database.directory.file("backup.sqlite")
        let backup = try database.run(["db", "backup", copy])
        #expect(backup.status == 0, "\(backup.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: copy)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let beside = try FileManager.default.contentsOfDirectory(atPath: database.directory.path).filter { $0.hasPrefix("backup.sqlite") }
        #expect(beside == ["backup.sqlite"], "no -wal, -shm or partial file beside the copy: \(beside)")
        #expect(SQLiteShell(path: copy).run("SELECT name FROM members;") == "Anna\n")

        let refused = try database.run(["db", "backup", copy])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(copy) exists; choose a new file name (or pass --overwrite)"))
        #expect(try database.run(["member", "add", "--card", "barcode:2900000000002"]).status == 0)
        #expect(try database.run(["db", "backup", copy, "--overwrite"]).status == 0)
        #expect(SQLiteShell(path: copy).run("SELECT COUNT(*) FROM members;") == "2\n")
    }
}
