import Foundation
import LoyaltyTestSupport
import Testing
import TillProtocol

/// `loyaltyd till …`: the till simulator, run as a process against a real daemon.
@Suite struct TillCommandTests {
    @Test func theSimulatorRunsAPurchaseFromLookupToRefund() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let added = try daemon.run(["member", "add", "--card", "uid:04A1B2C3D4E5F6", "--name", "Anna", "--consent"])
        #expect(added.status == 0, "\(added.stderr)")

        let lookup = try daemon.run(["till", "lookup", "--card", "uid:04:a1:b2:c3:d4:e5:f6"])
        #expect(lookup.status == 0, "\(lookup.stderr)")
        #expect(lookup.stdout.contains("name: Anna\n"))
        #expect(lookup.stdout.contains("balance: 0\n"))

        let purchase = ["--till", "lane-1", "--transaction", "T1", "--card", "uid:04A1B2C3D4E5F6", "--total", "100.00",
                        "--line", "4006381333931:drinks:2:3.98", "--line", "2000000000017::0.450:96.02"]
        let quote = try daemon.run(["till", "quote"] + purchase)
        #expect(quote.status == 0, "\(quote.stderr)")
        #expect(quote.stdout.contains("payable: 95.00\n"))
        // Arrays of objects (the rules, the lines) are tables: a header row, then one row per object.
        let lines = quote.stdout.split(separator: "\n").map(String.init)
        let rules = try #require(lines.firstIndex(of: "rules:"))
        #expect(lines[rules + 1].hasPrefix("  id ") && lines[rules + 1].contains(" discount ") && lines[rules + 1].contains(" points "))
        #expect(lines[rules + 2].hasPrefix("  member-discount "))
        #expect(lines[rules + 3].hasPrefix("  base-points "))

        let commit = try daemon.run(["till", "commit", "--json"] + purchase)
        #expect(commit.status == 0)
        let result = try JSONParser.parse(Array(commit.stdout.trimmingCharacters(in: .newlines).utf8))
        #expect(result["points_earned"] == .integer(285))
        #expect(result["rules"].map { if case .array(let rules) = $0 { rules.count } else { 0 } } == 2)
        let retry = try daemon.run(["till", "commit", "--json"] + purchase)
        #expect(retry.stdout == commit.stdout, "a retried commit gets the first result, byte for byte")

        let refund = try daemon.run(["till", "refund", "--till", "lane-1", "--transaction", "T1", "--refund-id", "R1", "--amount", "10.00"])
        #expect(refund.status == 0)
        #expect(refund.stdout.contains("remaining_refundable: 90.00\n"))
        let reversed = refund.stdout.split(separator: "\n").first { $0.hasPrefix("points_reversed: ") }.flatMap { Int($0.dropFirst(17)) }
        #expect(reversed.map { refund.stdout.contains("balance_after: \(285 - $0)\n") && $0 > 0 } == true, "\(refund.stdout)")

        let byLine = purchase.map { $0 == "T1" ? "T5" : $0 }
        #expect(try daemon.run(["till", "commit"] + byLine).status == 0)
        let lineRefund = try daemon.run(["till", "refund", "--till", "lane-1", "--transaction", "T5", "--refund-id", "R5", "--line", "4006381333931"])
        #expect(lineRefund.stdout.contains("amount: 3.98\n"), "\(lineRefund.stdout)\(lineRefund.stderr)")
        #expect(lineRefund.stdout.contains("remaining_refundable: 96.02\n"))
        let reward = try daemon.run(["till", "quote", "--reward", "9000001:2"] + purchase.map { $0 == "T1" ? "T6" : $0 })
        #expect(reward.status == 1)
        #expect(reward.stderr.contains("purchase.quote: error -32602 invalid_params:"), "the program has no such reward: \(reward.stderr)")

        let void = try daemon.run(["till", "void", "--till", "lane-1", "--transaction", "T2"])
        #expect(void.stdout == "voided: true\nalready_voided: false\n")
        let voidedCommit = try daemon.run(["till", "commit", "--till", "lane-1", "--transaction", "T2", "--member", "nobody", "--total", "1.00"])
        #expect(voidedCommit.status == 1)
        #expect(voidedCommit.stderr.contains("purchase.commit: error 1007 transaction_voided:"))

        let sale = try daemon.run(["till", "sale", "--till", "lane-1", "--transaction", "T3", "--total", "50.00"])
        #expect(sale.stdout == "recorded: true\nalready_recorded: false\n")
        let again = try daemon.run(["till", "sale", "--till", "lane-1", "--transaction", "T3", "--total", "50.00"])
        #expect(again.stdout == "recorded: true\nalready_recorded: true\n")
        let conflict = try daemon.run(["till", "sale", "--till", "lane-1", "--transaction", "T3", "--total", "51.00"])
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains("error 1006 transaction_conflict"))
        let committed = try daemon.run(["till", "sale", "--till", "lane-1", "--transaction", "T1", "--total", "100.00"])
        #expect(committed.stderr.contains("error 1008 already_committed"), "a member purchase is not counted twice")
    }

    @Test func anErrorAnswerShowsItsCodeReasonAndMessageAndExitsOne() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let unknown = try daemon.run(["till", "lookup", "--card", "barcode:2900000000000"])
        #expect(unknown.status == 1)
        #expect(unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("member.lookup: error 1002 unknown_card: unknown card barcode:*********0000"))
        let json = try daemon.run(["till", "lookup", "--card", "phone:+49 30 1234567", "--json"])
        #expect(json.status == 1)
        let error = try JSONParser.parse(Array(json.stdout.trimmingCharacters(in: .newlines).utf8))
        #expect(error["code"] == .integer(1001))
        #expect(error["data"]?["reason"] == "unknown_member")
        let money = try daemon.run(["till", "quote", "--till", "l", "--transaction", "t", "--member", "m", "--total", "1.005"])
        #expect(money.status == 1)
        #expect(money.stderr.contains("error -32602 invalid_params: total: \"1.005\" has more than 2 decimals"), "the daemon checks the money")
    }

    @Test func aDaemonThatIsNotRunningIsReported() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let lookup = try database.run(["till", "lookup", "--card", "uid:04A1B2C3D4E5F6"])
        #expect(lookup.status == 1)
        #expect(lookup.stderr.contains("the daemon does not answer on \(database.config.socketPath)"))
    }

    @Test func malformedArgumentsAreUsageErrors() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let card = try database.run(["till", "lookup", "--card", "nfc:04A1B2C3"])
        #expect(card.status == 64)
        #expect(card.stderr.contains("expected kind:value, kind being uid, track, barcode or phone"))
        let uid = try database.run(["till", "lookup", "--card", "uid:04A1B"])
        #expect(uid.status == 64)
        #expect(uid.stderr.contains("a UID is 4 to 10 bytes of hex"))
        let both = try database.run(["till", "lookup", "--card", "uid:04A1B2C3", "--member", "m"])
        #expect(both.status == 64)
        let line = try database.run(["till", "quote", "--till", "l", "--transaction", "t", "--member", "m", "--total", "1.00", "--line", "sku:1.00"])
        #expect(line.status == 64)
        #expect(line.stderr.contains("expected SKU:CATEGORY:QTY:AMOUNT"))
    }
}
