import Foundation
import LoyaltyTestSupport
import Testing

/// The command-line points of issue 15, each against the real binary: partial phones and cards in
/// `member find`, names in any case beyond ASCII, `log --kind` checked, what a refused refund leaves,
/// file completion in bash, and a refused reload in the event log.
@Suite struct CommandLineFixesTests {
    @Test func memberFindMatchesPartOfAPhoneOrACardAndNamesInAnyCase() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let mueller = try database.run([
            "member", "add", "--card", "uid:04A1B2C3D4E5F6", "--name", "Müller", "--phone", "0049 151 2345-6789", "--consent",
        ])
        #expect(mueller.status == 0, "\(mueller.stderr)")
        let muellerID = String(mueller.stdout.split(separator: " ")[1])
        let strasse = try database.run(["member", "add", "--card", "barcode:2900000012349", "--name", "Straße", "--phone", "030 1234567", "--consent"])
        #expect(strasse.status == 0, "\(strasse.stderr)")
        let strasseID = String(strasse.stdout.split(separator: " ")[1])

        func found(_ arguments: [String]) throws -> [String] {
            let result = try database.run(["member", "find"] + arguments)
            #expect(result.status == 0 || result.stderr == "no member matches\n", "\(arguments): \(result.stderr)")
            return [muellerID, strasseID].filter { result.stdout.contains($0) }
        }
        // Names: case folded beyond ASCII.
        #expect(try found(["--name", "MÜLLER"]) == [muellerID])
        #expect(try found(["--name", "müll"]) == [muellerID])
        #expect(try found(["--name", "STRASSE"]) == [strasseID])
        // Phones: any run of digits, leading zeros and + not counted, contact data or card.
        #expect(try found(["--phone", "0151 2345"]) == [muellerID])
        #expect(try found(["--phone", "+49 151"]) == [muellerID])
        #expect(try found(["--phone", "30 1234"]) == [strasseID])
        #expect(try found(["--phone", "999999"]) == [])
        // Cards: a part of the value, of one kind or of any.
        #expect(try found(["--card", "e5f6"]) == [muellerID])
        #expect(try found(["--card", "uid:04:a1:b2"]) == [muellerID])
        #expect(try found(["--card", "barcode:0001234"]) == [strasseID])
        #expect(try found(["--card", "uid:0001234"]) == [])
        #expect(try found(["--card", "29000"]) == [strasseID])
        // Criteria still combine.
        #expect(try found(["--card", "E5F6", "--name", "straße"]) == [])
        // Too little to look for is a usage error, not every member.
        let short = try database.run(["member", "find", "--phone", "0012"])
        #expect(short.status == 64)
        #expect(short.stderr.contains("--phone: give at least 3 digits"))
    }

    @Test func logRefusesAnUnknownKindListingTheKinds() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        #expect(try database.run(["member", "add", "--card", "barcode:5001"]).status == 0)
        let bogus = try database.run(["log", "--kind", "bogus"])
        #expect(bogus.status == 64)
        #expect(bogus.stdout.isEmpty)
        #expect(bogus.stderr.hasPrefix("--kind: no event is of kind \"bogus\"; the kinds are "))
        for kind in ["card.read", "member.add", "config.reload_refused", "daemon.start"] { #expect(bogus.stderr.contains(kind)) }
        let known = try database.run(["log", "--kind", "member.add"])
        #expect(known.status == 0)
        #expect(known.stdout.contains(" member.add card=barcode:****"))
        // A kind nothing has written yet is still a kind: an empty answer, not an error.
        let none = try database.run(["log", "--kind", "reader.added"])
        #expect(none.status == 0 && none.stdout.isEmpty)
    }

    @Test func tillRefundShowsWhatRemainsRefundable() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        #expect(try daemon.run(["member", "add", "--card", "barcode:6001"]).status == 0)
        let purchase = ["--till", "lane-1", "--transaction", "T-1"]
        let commit = try daemon.run(["till", "commit"] + purchase + ["--card", "barcode:6001", "--total", "20.00"])
        #expect(commit.status == 0, "\(commit.stderr)")
        let refund = try daemon.run(["till", "refund"] + purchase + ["--refund-id", "R-1", "--amount", "5.00"])
        #expect(refund.status == 0, "\(refund.stderr)")
        #expect(refund.stdout.contains("remaining_refundable: 15.00\n"))
        let tooMuch = try daemon.run(["till", "refund"] + purchase + ["--refund-id", "R-2", "--amount", "50.00"])
        #expect(tooMuch.status == 1)
        #expect(tooMuch.stderr.contains("refund_exceeds_purchase"))
        #expect(tooMuch.stderr.contains("(remaining_refundable: 15.00)"), "\(tooMuch.stderr)")
    }

    @Test func bashCompletesFilesWhereACommandTakesOne() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try LoyaltydBinary.run(["--generate-completion-script", "bash"])
        #expect(script.status == 0)
        try script.stdout.write(toFile: directory.file("loyaltyd.bash"), atomically: true, encoding: .utf8)
        for name in ["shop.yaml", "receipt.json", "members.csv", "backup.sqlite"] { _ = FileManager.default.createFile(atPath: directory.file(name), contents: nil) }
        // The words typed so far, ending in a prefix of a file here; bash's completion function answers.
        let cases: [([String], String)] = [
            (["config", "check", "--config", "sho"], "shop.yaml"),
            (["member", "find", "--database", "back"], "backup.sqlite"),
            (["config", "check", "--explain", "rec"], "receipt.json"),
            (["member", "import", "mem"], "members.csv"),
            (["db", "backup", "back"], "backup.sqlite"),
            (["member", "export", "mem"], "members.csv"),
        ]
        for (words, expected) in cases {
            let line = (["loyaltyd"] + words).joined(separator: " ")
            let program = """
                cd \(directory.path) && source ./loyaltyd.bash
                COMP_WORDS=(\(line)); COMP_CWORD=\(words.count); COMP_LINE="\(line)"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
                _loyaltyd loyaltyd \(words[words.count - 1]) \(words.count > 1 ? words[words.count - 2] : "loyaltyd")
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let output = try SystemCommand.run(["/bin/bash", "-c", program])
            #expect(output.split(separator: "\n").map(String.init) == [expected], "\(line) → \(output)")
        }
    }

    @Test func aRefusedReloadIsInTheEventLog() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        // The technician's view is `loyaltyd log`, through a copy of the good file while the daemon's is broken.
        let goodCopy = daemon.directory.file("good.yaml")
        try daemon.config.yaml.write(toFile: goodCopy, atomically: true, encoding: .utf8)
        try "store:\n  id: test-store\ncurrency: [".write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.send(signal: SIGHUP)
        func refusals() throws -> String {
            try LoyaltydBinary.run(["log", "--kind", "config.reload_refused", "--config", goodCopy]).stdout
        }
        #expect(try waitUntil { try !refusals().isEmpty })
        let line = try refusals()
        #expect(line.contains(" config.reload_refused \(daemon.configPath)"), "\(line)")
        #expect(daemon.isRunning)

        try daemon.config.yaml.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.send(signal: SIGHUP)
        #expect(waitUntil { (try? daemon.run(["log", "--kind", "config.reloaded"]).stdout.contains("rules version")) == true })
    }
}
