import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// Issue 7, item 5: personal data never reaches a log. Members with distinctive names, phones and
/// birthdays go through every method of the protocol, errors included, with the daemon logging at
/// `trace`; then its output, the event log table and `loyaltyd log` are searched for them.
/// (Bank card tracks read by a USB reader: USBReaderTests.aBankCardIsRejectedAndLeavesNoTrace
/// searches the database file, its WAL, the event log and the output for the card number.)
@Suite struct PrivacyTests {
    struct Person {
        var name: String
        var phone: String
        /// The phone's digits as stored (no country code), which a log must not show whole.
        var digits: String
        var birthday: String
        var card: JSONValue
    }

    static let people = [
        Person(name: "Quiliana Zbrvoskaya", phone: "+49 171 5550123", digits: "1715550123", birthday: "1958-07-19",
               card: .object([("kind", "uid"), ("value", "04C0FFEE000001")])),
        Person(name: "Þórbergur Ýmisson", phone: "0049 30 98765432", digits: "3098765432", birthday: "1961-03-04",
               card: .object([("kind", "barcode"), ("value", "2900000077770")])),
        Person(name: "Marguerite O'Flannagan-Vázquez", phone: "+7 912 345-67-89", digits: "9123456789", birthday: "1999-12-31",
               card: .object([("kind", "track"), ("value", "6001234567890")])),
    ]

    // The well-known Visa test number, never a real account.
    static let bankPAN = "4111111111111111"
    static let bankTracks = [
        ";\(bankPAN)=2512101000000000?", "%B\(bankPAN)^DOE/JOHN^2512101000000000?", "\(bankPAN)=25121010000",
    ]

    func reason(_ response: JSONValue) -> String? {
        guard case .string(let reason)? = response["error"]?["data"]?["reason"] else { return nil }
        return reason
    }

    @Test func namesPhonesAndBirthdaysNeverReachTheLogs() throws {
        let daemon = try TemporaryDaemon { $0.logLevel = "trace" }
        defer { daemon.cleanUp() }
        try daemon.start()
        let till = try daemon.client()
        _ = try till.result("events.subscribe", .object([("till_id", "lane-1")]))
        var calls = 0
        var errors = 0
        func call(_ method: String, _ params: JSONValue, expecting wanted: String? = nil) throws -> JSONValue {
            calls += 1
            let response = try till.call(method, params)
            if let wanted {
                errors += 1
                #expect(reason(response) == wanted, "\(method): \(JSONWriter.string(of: response))")
            } else {
                #expect(response["result"] != nil, "\(method): \(JSONWriter.string(of: response))")
            }
            return response["result"] ?? .null
        }

        for (index, person) in Self.people.enumerated() {
            let enrolment: JSONValue = .object([
                ("card", person.card), ("name", .string(person.name)), ("phone", .string(person.phone)),
                ("birthday", .string(person.birthday)), ("consent", true),
            ])
            let member = try call("member.enroll", enrolment)
            #expect(member["name"] == .string(person.name), "the till gets the name back")
            _ = try call("member.enroll", enrolment, expecting: "carrier_in_use")
            _ = try call("member.enroll", .object([("phone", .string(person.phone)), ("name", .string(person.name)), ("consent", true)]), expecting: "carrier_in_use")
            _ = try call("member.enroll", .object([("card", .object([("kind", "uid"), ("value", .string("04BEEF00000\(index)"))])), ("name", .string(person.name))]), expecting: "invalid_params")
            _ = try call("member.enroll", .object([("card", .object([("kind", "uid"), ("value", .string("04BEEF10000\(index)"))])), ("birthday", .string(person.birthday + "x")), ("consent", true)]), expecting: "invalid_params")
            _ = try call("member.lookup", .object([("card", person.card)]))
            _ = try call("member.lookup", .object([("phone", .string(person.phone))]))
            _ = try call("member.lookup", .object([("member_id", member["member_id"] ?? .null)]))
            _ = try call("member.lookup", .object([("phone", .string(person.phone.replacingOccurrences(of: "5", with: "6")))]), expecting: "unknown_member")
            let purchase: JSONValue = .object([
                ("till_id", "lane-1"), ("transaction_id", .string("P\(index)")), ("card", person.card), ("total", "42.00"),
            ])
            _ = try call("purchase.quote", purchase)
            _ = try call("purchase.commit", purchase)
            _ = try call("purchase.commit", purchase)
            _ = try call("purchase.refund", .object([("till_id", "lane-1"), ("transaction_id", .string("P\(index)")), ("refund_id", .string("R\(index)")), ("amount", "2.00")]))
            _ = try call("purchase.void", .object([("till_id", "lane-1"), ("transaction_id", .string("V\(index)"))]))
            _ = try call("purchase.quote", .object([("till_id", "lane-1"), ("transaction_id", .string("V\(index)")), ("card", person.card), ("total", "1.00")]), expecting: "transaction_voided")
        }
        _ = try call("status", .object([]))
        // A bank card read by the till's own reader and sent as a carrier is refused, not kept.
        for track in Self.bankTracks {
            let card: JSONValue = .object([("kind", "track"), ("value", .string(track))])
            _ = try call("member.enroll", .object([("card", card)]), expecting: "invalid_params")
            _ = try call("member.lookup", .object([("card", card)]), expecting: "invalid_params")
            _ = try call("purchase.quote", .object([("till_id", "lane-1"), ("transaction_id", "B1"), ("card", card), ("total", "1.00")]), expecting: "invalid_params")
        }
        #expect(daemon.stop() == 0)
        let bankTraces = TraceSearch.files(in: daemon.directory.path, holding: [Self.bankPAN, "DOE/JOHN"])
        #expect(bankTraces.isEmpty, "\(bankTraces)")

        let output = daemon.log
        let events = SQLiteShell(path: daemon.databasePath).run("SELECT * FROM events;")
        let logCommand = try TechnicianLog.run(daemon)
        #expect(!events.isEmpty && !logCommand.isEmpty)
        var leaks: [String] = []
        for person in Self.people {
            let secrets = [person.name, person.phone, person.digits, person.birthday]
                + person.name.split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init).filter { $0.count > 3 }
            for secret in secrets {
                for (place, text) in [("daemon output", output), ("events table", events), ("loyaltyd log", logCommand)] where text.contains(secret) {
                    leaks.append("\(secret) in the \(place)")
                }
            }
        }
        #expect(leaks.isEmpty, "\(leaks)")
        StressRun.report("privacy", [
            "members": Self.people.count, "calls": calls, "errors_exercised": errors, "log_level": "trace",
            "daemon_output_bytes": output.utf8.count, "event_rows_bytes": events.utf8.count, "leaks": leaks.count,
            "bank_tracks_refused": Self.bankTracks.count * 3, "bank_card_traces": bankTraces.count,
        ])
    }
}

/// `loyaltyd log` as a technician runs it, every event.
private enum TechnicianLog {
    static func run(_ daemon: TemporaryDaemon) throws -> String {
        let result = try LoyaltydBinary.run(["log", "--config", daemon.configPath, "--limit", "10000"])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout + result.stderr
    }
}
