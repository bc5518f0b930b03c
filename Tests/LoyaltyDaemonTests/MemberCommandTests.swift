import Foundation
import LoyaltyTestSupport
import Testing
import TillProtocol

/// `loyaltyd member …` and `loyaltyd card …`, run as processes on a temporary database (and beside
/// a running daemon where the daemon must see the change).
@Suite struct MemberCommandTests {
    /// The member id `member add` printed.
    func memberID(_ output: String) throws -> String {
        let words = output.split(separator: " ")
        return String(try #require(words.count > 1 ? words[1] : nil))
    }

    @Test func addShowAndFindAMember() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let added = try database.run([
            "member", "add", "--card", "uid:04:a1:b2:c3:d4:e5:f6", "--name", "Anna Schmidt", "--phone", "0049 151 2345-6789",
            "--birthday", "1990-04-12", "--group", "staff", "--consent",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.hasSuffix(" added with uid:04A1B2C3D4E5F6\n"))
        let id = try memberID(added.stdout)
        #expect(id.hasPrefix("test-store-"))

        let show = try database.run(["member", "show", "--phone", "+49 151 23456789"])
        #expect(show.status == 0)
        for line in ["member:    \(id)", "status:    active", "name:      Anna Schmidt", "phone:     +4915123456789",
                     "birthday:  1990-04-12", "group:     staff", "balance:   0 points", "ledger:    no entries"] {
            #expect(show.stdout.contains(line + "\n"), "\(line) in\n\(show.stdout)")
        }
        #expect(show.stdout.contains("  uid:04A1B2C3D4E5F6  active"))
        let json = try JSONParser.parse(Array(try database.run(["member", "show", "--member", id, "--json"]).stdout.utf8.dropLast()))
        #expect(json["member_id"] == .string(id))
        #expect(json["balance"] == .integer(0))
        guard case .array(let cards)? = json["cards"], let card = cards.first, cards.count == 1 else {
            Issue.record("one card expected in \(json)")
            return
        }
        #expect(card["kind"] == "uid" && card["value"] == "04A1B2C3D4E5F6" && card["status"] == "active")

        let byName = try database.run(["member", "find", "--name", "schmi"])
        #expect(byName.status == 0)
        #expect(byName.stdout.split(separator: "\n").count == 2, "a header and one member")
        #expect(byName.stdout.contains(id))
        #expect(try database.run(["member", "find", "--group", "staff", "--card", "uid:04A1B2C3D4E5F6"]).stdout.contains(id))
        let nobody = try database.run(["member", "find", "--name", "Ben"])
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("no member matches"))

        // The personal data went to standard output only: the event log holds the id and the card masked.
        #expect(database.sql("SELECT kind, carrier, member_id FROM events;") == "member.add|uid:**********E5F6|\(id)")
    }

    @Test func refusalsAndUsageErrors() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        #expect(try database.run(["member", "add", "--card", "barcode:123"]).status == 0)
        let taken = try database.run(["member", "add", "--card", "barcode:123"])
        #expect(taken.status == 1)
        #expect(taken.stderr == "barcode:*** is already linked to a member\n")
        let noConsent = try database.run(["member", "add", "--card", "barcode:124", "--name", "Ben"])
        #expect(noConsent.status == 64)
        #expect(noConsent.stderr.contains("stored only with consent"))
        let badCard = try database.run(["member", "add", "--card", "uid:xyz"])
        #expect(badCard.status == 64)
        #expect(badCard.stderr.contains("invalid uid carrier"))
        let noKind = try database.run(["member", "show", "--card", "04A1B2C3"])
        #expect(noKind.status == 64)
        let badDate = try database.run(["member", "add", "--card", "barcode:125", "--birthday", "1990-02-30", "--consent"])
        #expect(badDate.status == 64)
        let unknown = try database.run(["member", "show", "--member", "test-store-nobody"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "no such member\n")
        let unknownCard = try database.run(["member", "block", "--card", "barcode:999"])
        #expect(unknownCard.status == 1)
        #expect(unknownCard.stderr == "no member has the card barcode:***\n")
        let twoWays = try database.run(["member", "show", "--card", "barcode:123", "--member", "x"])
        #expect(twoWays.status == 64)
        #expect(twoWays.stderr.contains("exactly one of --member, --card or --phone"))
        #expect(try database.run(["member", "find"]).status == 64)
    }

    @Test func blockedMembersAndCardsAreRefusedAtTheRunningDaemonsTill() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let id = try memberID(try daemon.run(["member", "add", "--card", "barcode:123"]).stdout)
        let quote = ["till", "quote", "--till", "lane-1", "--transaction", "T1", "--card", "barcode:123", "--total", "10.00"]

        #expect(try daemon.run(["member", "block", "--member", id]).stdout == "member \(id) blocked\n")
        #expect(try daemon.run(["member", "block", "--member", id]).stdout == "member \(id) was already blocked\n")
        #expect(try daemon.run(quote).stderr.contains("error 1004 member_blocked"))
        #expect(try daemon.run(["member", "unblock", "--card", "barcode:123"]).stdout == "member \(id) unblocked\n")
        #expect(try daemon.run(quote).status == 0)

        let linked = try daemon.run(["card", "link", "--card", "uid:04A1B2C3", "--member", id])
        #expect(linked.stdout == "uid:04A1B2C3 linked to member \(id)\n")
        #expect(try daemon.run(["card", "link", "--card", "uid:04a1b2c3", "--member", id]).stdout.contains("was already linked"))
        let other = try memberID(try daemon.run(["member", "add", "--card", "barcode:456"]).stdout)
        let stolen = try daemon.run(["card", "link", "--card", "uid:04A1B2C3", "--member", other])
        #expect(stolen.status == 1)
        #expect(stolen.stderr.contains("already linked to a member"))

        let lost = try daemon.run(["card", "block", "--card", "uid:04A1B2C3", "--lost"])
        #expect(lost.stdout == "uid:04A1B2C3 of member \(id) is now lost (was active)\n")
        let refused = try daemon.run(["till", "lookup", "--card", "uid:04A1B2C3", "--json"])
        #expect(refused.stdout.contains("\"card_status\":\"lost\""))
        #expect(try daemon.run(["till", "lookup", "--card", "barcode:123"]).status == 0, "the member's other card still works")
        #expect(try daemon.run(["card", "unblock", "--card", "uid:04A1B2C3"]).stdout.contains("is now active (was lost)"))
        #expect(try daemon.run(["card", "unlink", "--card", "uid:04A1B2C3"]).stdout == "uid:04A1B2C3 unlinked from member \(id)\n")
        #expect(try daemon.run(["till", "lookup", "--card", "uid:04A1B2C3"]).stderr.contains("unknown_card"))
        #expect(try daemon.run(["card", "unlink", "--card", "uid:04A1B2C3"]).status == 1)

        let log = try daemon.run(["log", "--kind", "card.block"])
        #expect(log.stdout.contains("card.block card=uid:****B2C3 member=\(id) lost"))
    }

    @Test func aMergeMovesCardsPurchasesAndPointsThroughTheLedger() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let survivor = try memberID(try daemon.run(["member", "add", "--card", "barcode:111"]).stdout)
        let merged = try memberID(try daemon.run(["member", "add", "--card", "barcode:222", "--name", "Anna", "--phone", "+491701234567", "--consent"]).stdout)
        for (card, transaction) in [("barcode:111", "T1"), ("barcode:222", "T2")] {
            #expect(try daemon.run(["till", "commit", "--till", "lane-1", "--transaction", transaction, "--card", card, "--total", "100.00"]).status == 0)
        }

        let merge = try daemon.run(["member", "merge", "--card", "barcode:222", "--into", survivor, "--json"])
        #expect(merge.status == 0, "\(merge.stderr)")
        let outcome = try JSONParser.parse(Array(merge.stdout.utf8.dropLast()))
        #expect(outcome["points_moved"] == .integer(285))
        #expect(outcome["cards_moved"] == .integer(1))
        #expect(outcome["purchases_moved"] == .integer(1))
        #expect(outcome["balance"] == .integer(570))

        // The merged card and phone now find the survivor, who got the personal data it lacked.
        let looked = try daemon.run(["till", "lookup", "--card", "barcode:222", "--json"])
        #expect(looked.stdout.contains("\"member_id\":\"\(survivor)\""))
        #expect(looked.stdout.contains("\"name\":\"Anna\""))
        #expect(try daemon.run(["till", "lookup", "--card", "phone:+491701234567", "--json"]).stdout.contains(survivor))
        let show = try daemon.run(["member", "show", "--member", merged])
        #expect(show.stdout.contains("status:    blocked (merged into \(survivor))"))
        #expect(show.stdout.contains("name:      -"))
        #expect(show.stdout.contains("balance:   0 points"))
        func hasAdjustment(_ output: String, _ points: String, _ note: String) -> Bool {
            output.split(separator: "\n").contains { $0.contains(" adjust ") && $0.contains(" \(points) ") && $0.hasSuffix(note) }
        }
        #expect(hasAdjustment(show.stdout, "-285", "merged into \(survivor)"), "\(show.stdout)")
        #expect(hasAdjustment(try daemon.run(["member", "show", "--member", survivor]).stdout, "+285", "merged from \(merged)"))
        let database = SQLiteShell(path: daemon.databasePath)
        #expect(database.run("SELECT COUNT(*) FROM ledger WHERE kind = 'adjust';") == "2\n")
        #expect(database.run("SELECT member_id = '\(survivor)', visits FROM member_totals ORDER BY 1;") == "0|0\n1|2\n", "visits count for the survivor's tier")
        #expect(database.run("SELECT COUNT(*) FROM activity WHERE member_id = '\(merged)';") == "0\n")

        // A refund of the merged member's purchase now takes the points back from the survivor.
        let refund = try daemon.run(["till", "refund", "--till", "lane-1", "--transaction", "T2", "--refund-id", "R1", "--json"])
        #expect(refund.stdout.contains("\"member_id\":\"\(survivor)\""))
        #expect(refund.stdout.contains("\"balance_after\":285"))
        #expect(try daemon.run(["db", "verify"]).stdout.contains("result: clean"))

        let twice = try daemon.run(["member", "merge", "--member", merged, "--into", survivor])
        #expect(twice.status == 1)
        #expect(twice.stderr == "member \(merged) was merged into \(survivor); use that member\n")
        #expect(try daemon.run(["member", "merge", "--member", survivor, "--into", survivor]).stderr == "a member cannot be merged into itself\n")
        #expect(try daemon.run(["member", "merge", "--member", survivor, "--into", "nobody"]).stderr == "no such member\n")
        #expect(try daemon.run(["member", "unblock", "--member", merged]).status == 1, "a merged member stays blocked")
        #expect(try daemon.run(["card", "link", "--card", "barcode:333", "--member", merged]).status == 1)
    }
}
