import Foundation
import LoyaltyTestSupport
import Testing

/// `loyaltyd member import` and `member export`, run as processes on temporary databases.
@Suite struct MemberImportTests {
    func write(_ text: String, to database: TemporaryDatabase, name: String = "members.csv") throws -> String {
        let path = database.directory.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func counts(_ database: TemporaryDatabase) -> String {
        database.sql("SELECT (SELECT COUNT(*) FROM members) || ' members, ' || (SELECT COUNT(*) FROM carriers) || ' cards';")
    }

    /// A list with what RFC 4180 allows: a byte order mark, CRLF, quoted commas, doubled quotes,
    /// a quoted line break (in an ignored column), columns in another order, and a blank line.
    let list = "\u{FEFF}Card,Name,notes,Phone,birthday,GROUP\r\n"
        + "uid:04112233,\"Müller, Hans\",\"two\r\nlines\",+49 170 1111111,1980-01-02,staff\r\n"
        + "barcode:2900000000001,\"Ben \"\"the baker\"\"\",,,,\r\n"
        + "\r\n"
        + ",,,0049 170 2222222,,\r\n"
        + "track:6001234567,Cleo,x,+491703333333,1975-12-31,\r\n"
        + "barcode:2900000000002,,,,,\r\n"

    @Test func aListImportsAndImportingItAgainCreatesNothing() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let path = try write(list, to: database)
        let first = try database.run(["member", "import", path, "--consent"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains(": 5 row(s)\n  5 new member(s) created\n"))
        #expect(first.stderr.isEmpty, "no progress bar when standard error is not a terminal: \(first.stderr)")
        #expect(counts(database) == "5 members, 5 cards")
        #expect(database.sql("SELECT name FROM members ORDER BY created_at_ms, id;") == "Müller, Hans\nBen \"the baker\"\n\nCleo\n")
        #expect(database.sql("SELECT kind || ':' || value FROM carriers WHERE kind = 'phone';") == "phone:+491702222222")
        #expect(database.sql("SELECT card_group FROM members WHERE name = 'Müller, Hans';") == "staff")
        #expect(database.sql("SELECT COUNT(*) FROM members WHERE consent_at_ms IS NULL;") == "1", "consent is recorded for rows with personal data")
            
        let again = try database.run(["member", "import", path, "--consent", "--json"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("\"rows\":5,\"created\":0,\"linked\":0,\"unchanged\":5,\"invalid\":0"))
        #expect(counts(database) == "5 members, 5 cards")

        // A new card for a known phone is linked to that member, and nothing else changes.
        let more = try write("name,phone,card\nSomeone else,+49 170 1111111,barcode:777\n", to: database, name: "more.csv")
        let linked = try database.run(["member", "import", more, "--consent"])
        #expect(linked.stdout.contains("  1 card(s) were linked to existing members\n"))
        #expect(database.sql("SELECT m.name FROM carriers c JOIN members m ON m.id = c.member_id WHERE c.value = '777';") == "Müller, Hans")
        #expect(try database.run(["log", "--kind", "member.import"]).stdout.contains("more.csv: 0 created, 1 linked, 0 unchanged, 0 skipped"))
    }

    @Test func oneBadLineImportsNothingAndEveryBadLineIsListed() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let before = counts(database)
        let path = try write("""
            name,phone,birthday,card
            Anna,+491701111111,1990-01-01,uid:04112233
            Ben,+491702222222,1990-02-30,uid:04112244
            Cleo,,,nfc:04112255
            Dora,12,,uid:04112266
            "Emil,,,uid:04112277
            """, to: database)
        let run = try database.run(["member", "import", path, "--consent"])
        #expect(run.status == 1)
        let file = path
        #expect(run.stderr.contains("\(file):3: birthday: expected a date as YYYY-MM-DD\n"))
        #expect(run.stderr.contains("\(file):4: card: expected kind:value"))
        #expect(run.stderr.contains("\(file):5: phone: invalid phone carrier: a phone number is 6 to 15 digits"))
        #expect(run.stderr.contains("\(file):6: a quoted field is not closed before the end of the file\n"))
        #expect(run.stderr.contains("nothing imported: 4 invalid line(s)"))
        #expect(!run.stderr.contains("1990-02-30") && !run.stderr.contains("+491702222222"), "messages never quote personal data")
        #expect(counts(database) == before, "all or nothing: the valid line was not imported either")
        #expect(database.sql("SELECT COUNT(*) FROM events;") == "0")

        let skipping = try database.run(["member", "import", path, "--consent", "--skip-invalid"])
        #expect(skipping.status == 0)
        #expect(skipping.stdout.contains("  1 new member(s) created\n"))
        #expect(skipping.stdout.contains("  4 invalid line(s), skipped (listed on standard error)\n"))
        #expect(skipping.stderr.split(separator: "\n").map { $0.split(separator: ":").dropFirst().first } == ["3", "4", "5", "6"])
        #expect(counts(database) == "1 members, 1 cards")
    }

    @Test func rowsThatContradictEachOtherAreFoundBeforeAnythingIsWritten() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        #expect(try database.run(["member", "add", "--card", "barcode:900", "--phone", "+491709999999", "--consent"]).status == 0)
        let path = try write("""
            phone,card
            +491701111111,uid:04112233
            +491702222222,uid:04112244
            +491702222222,uid:04112233
            +491709999999,uid:04112255
            +491703333333,barcode:900
            +491709999999,uid:04112244
            """, to: database)
        let dry = try database.run(["member", "import", path, "--consent", "--dry-run"])
        #expect(dry.status == 1)
        #expect(dry.stdout.contains("nothing written (dry run)\n  2 new member(s) would be created\n  1 card(s) would be linked to existing members\n  1 row(s) already in the database"))
        #expect(dry.stderr.contains(":4: the card uid:****2233 belongs to the new member of line 2 but the phone to the new member of line 3\n"))
        #expect(dry.stderr.contains(":7: the card uid:****2244 belongs to the new member of line 3 but the phone to member test-store-"))
        let run = try database.run(["member", "import", path, "--consent"])
        #expect(run.status == 1)
        #expect(counts(database) == "1 members, 1 cards")
    }

    @Test func batchesAndMemberIDGroupsSpanTransactions() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let path = database.directory.file("generated.csv")
        try MemberListCSV.write(to: path, members: 1...2_500)
        let run = try database.run(["member", "import", path, "--consent", "--batch-size", "1000"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("  2500 new member(s) created\n"))
        #expect(database.sql("SELECT COUNT(*) FROM members WHERE card_group = 'staff';") == "250")
        let found = try database.run(["member", "find", "--card", MemberListCSV.card(1_234), "--json"])
        #expect(found.stdout.contains("\"name\":\"Member 1234\""))
        #expect(found.stdout.contains("\"phone\":\"\(MemberListCSV.phone(1_234))\""))

        // One member's three cards, split over batches of two rows, stay one member.
        let grouped = try write("""
            card,member_id
            barcode:1,a
            barcode:2,a
            barcode:3,a
            barcode:4,b
            """, to: database, name: "grouped.csv")
        let second = try database.run(["member", "import", grouped, "--batch-size", "2"])
        #expect(second.stdout.contains("  2 new member(s) created\n  2 card(s) were linked"), "\(second.stdout)")
        #expect(database.sql("SELECT COUNT(DISTINCT member_id) FROM carriers WHERE kind = 'barcode';") == "2")
    }

    @Test func exportWritesWhatImportReadsBack() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        func add(_ arguments: [String]) throws -> String {
            let added = try database.run(["member", "add"] + arguments)
            return String(added.stdout.split(separator: " ")[1])
        }
        let anna = try add(["--card", "uid:04A1B2C3D4E5F6", "--name", "Anna, \"Ann\" Schmidt", "--phone", "+4915123456789", "--birthday", "1990-04-12", "--group", "staff", "--consent"])
        #expect(try database.run(["card", "link", "--card", "barcode:2900000012349", "--member", anna]).status == 0)
        #expect(try database.run(["card", "link", "--card", "track:6001234567", "--member", anna]).status == 0)
        #expect(try database.run(["card", "block", "--card", "track:6001234567", "--lost"]).status == 0)
        _ = try add(["--phone", "+491707654321", "--consent"])
        let blocked = try add(["--card", "barcode:555"])
        #expect(try database.run(["member", "block", "--member", blocked]).status == 0)

        let path = database.directory.file("export.csv")
        let export = try database.run(["member", "export", path])
        #expect(export.status == 0)
        #expect(export.stdout.isEmpty)
        #expect(export.stderr == "exported 2 member(s) in 3 row(s) to \(path); left out: 1 blocked member(s), 1 blocked or lost card(s)\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "a member list is personal data")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = text.components(separatedBy: "\r\n")
        #expect(rows.first == "name,phone,birthday,card,group,member_id")
        #expect(rows.contains("\"Anna, \"\"Ann\"\" Schmidt\",+4915123456789,1990-04-12,uid:04A1B2C3D4E5F6,staff,\(anna)"))
        #expect(rows.contains { $0.hasPrefix(",+491707654321,,phone:+491707654321,,") })
        #expect(try database.run(["member", "export", path]).status == 1, "an existing file is never overwritten")
        #expect(try database.run(["member", "export"]).stdout == text, "standard output gets the same list")

        let copy = try TemporaryDatabase()
        defer { copy.remove() }
        let imported = try copy.run(["member", "import", path, "--consent"])
        #expect(imported.stdout.contains("  2 new member(s) created\n  1 card(s) were linked"), "\(imported.stdout)\(imported.stderr)")
        let again = try copy.run(["member", "export"]).stdout
        func withoutIDs(_ csv: String) -> [String] { csv.components(separatedBy: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") } }
        #expect(withoutIDs(again) == withoutIDs(text))
        #expect(try database.run(["member", "import", path, "--consent"]).stdout.contains("  3 row(s) already in the database"))
    }

    @Test func aHeaderWithoutCardOrPhoneIsRefused() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let path = try write("name,email\nAnna,a@example.com\n", to: database)
        let run = try database.run(["member", "import", path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("line 1: the header row needs a card or a phone column"))
        #expect(try database.run(["member", "import", database.directory.file("missing.csv")]).status == 1)
    }
}
