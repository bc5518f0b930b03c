import Foundation
import LoyaltyTestSupport
import Testing
import TillProtocol

/// `loyaltyd report`, run as a process on what a running daemon recorded.
@Suite struct ReportTests {
    @Test func theReportCountsMembersTheirShareAndPoints() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        for card in ["barcode:111", "barcode:222", "barcode:333"] {
            #expect(try daemon.run(["member", "add", "--card", card]).status == 0)
        }
        // Member 111 comes twice, 222 once, 333 never; two sales without a member.
        for (transaction, card, total) in [("T1", "barcode:111", "100.00"), ("T2", "barcode:111", "20.00"), ("T3", "barcode:222", "30.00")] {
            #expect(try daemon.run(["till", "commit", "--till", "lane-1", "--transaction", transaction, "--card", card, "--total", total]).status == 0)
        }
        #expect(try daemon.run(["till", "commit", "--till", "lane-1", "--transaction", "T4", "--card", "barcode:111", "--total", "10.00", "--redeem", "100"]).status == 0)
        #expect(try daemon.run(["till", "sale", "--till", "lane-1", "--transaction", "S1", "--total", "40.00"]).status == 0)
        #expect(try daemon.run(["till", "sale", "--till", "lane-2", "--transaction", "S1", "--total", "10.00"]).status == 0)
        #expect(try daemon.run(["till", "refund", "--till", "lane-1", "--transaction", "T2", "--refund-id", "R1"]).status == 0)

        let report = try daemon.run(["report", "--from", "2000-01-01", "--to", "2999-12-31", "--json"])
        #expect(report.status == 0, "\(report.stderr)")
        let json = try JSONParser.parse(Array(report.stdout.utf8.dropLast()))
        #expect(json["active_members"] == .integer(2))
        #expect(json["member_purchases"] == .integer(4))
        #expect(json["member_purchase_total"] == "160.00")
        #expect(json["other_sales"] == .integer(2))
        #expect(json["other_sales_total"] == "50.00")
        #expect(json["member_share_of_purchases_percent"] == "66.7")
        #expect(json["member_share_of_amount_percent"] == "76.2")
        #expect(json["average_visits_per_member"] == "2.00")
        // Points: 285 + 57 + 86 + (10.00 - 0.50 - 1.00 = 8.50 → 26) issued; 100 redeemed; the refund of T2 takes its 57 back.
        #expect(json["points_issued"] == .integer(285 + 57 + 86 + 26))
        #expect(json["points_redeemed"] == .integer(100))
        #expect(json["points_expired"] == .integer(0))
        #expect(json["breakage_percent"] == "0.0")
        #expect(json["points_reversed"] == .integer(-57))

        let text = try daemon.run(["report", "--from", "2000-01-01", "--to", "2999-12-31"])
        #expect(text.stdout.contains("active members:              2\n"))
        #expect(text.stdout.contains("members' share of sales:     66.7 % of purchases, 76.2 % of the amount\n"))

        let empty = try daemon.run(["report", "--from", "2000-01-01", "--to", "2000-01-31"])
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("active members:              0\n"))
        #expect(empty.stdout.contains("average visits per member:   -\n"))
    }

    @Test func badPeriodsAreUsageErrors() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        #expect(try database.run(["report", "--from", "2026-02-30", "--to", "2026-03-01"]).status == 64)
        #expect(try database.run(["report", "--from", "2026-03-02", "--to", "2026-03-01"]).stderr.contains("--from must not be after --to"))
        #expect(try database.run(["report", "--from", "2026-03-01"]).status == 64)
    }
}
