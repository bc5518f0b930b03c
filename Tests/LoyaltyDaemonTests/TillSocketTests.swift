import Foundation
import Synchronization
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// The real `loyaltyd` binary over its real Unix socket, with a real SQLite file.
@Suite struct TillSocketTests {
    let card: JSONValue = .object([("kind", "uid"), ("value", "04A1B2C3D4E5F6")])

    func purchase(_ transaction: String, total: String, redeem: Int64? = nil) -> JSONValue {
        var params: [(String, JSONValue)] = [("till_id", "lane-1"), ("transaction_id", .string(transaction)), ("card", card), ("total", .string(total))]
        if let redeem { params.append(("redeem_points", .integer(redeem))) }
        return .object(params)
    }

    func reason(_ response: JSONValue) -> String? {
        guard case .string(let reason)? = response["error"]?["data"]?["reason"] else { return nil }
        return reason
    }

    @Test func startsReportsReadyAndAnswersStatus() throws {
        let daemon = try TemporaryDaemon().start()
        #expect(daemon.notifications.messages.contains { $0.contains("STATUS=serving tills on \(daemon.socketPath)") })
        let status = try daemon.client().result("status")
        #expect(status["store_id"] == "test-store")
        #expect(status["database"]?["state"] == "ok")
        #expect(status["currency"] == "EUR")
        let attributes = try FileManager.default.attributesOfItem(atPath: daemon.socketPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
    }

    @Test func aPurchaseFromEnrolmentToRefund() throws {
        let daemon = try TemporaryDaemon().start()
        let till = try daemon.client()
        let member = try till.result("member.enroll", .object([("card", card), ("name", "Anna"), ("consent", true)]))
        #expect(member["balance"] == .integer(0))
        #expect(reason(try till.call("member.enroll", .object([("card", card)]))) == "carrier_in_use")

        // 100.00 - 5% = 95.00; 3% of 95.00 = 2.85 = 285 points at 0.01 a point.
        let quote = try till.result("purchase.quote", purchase("T1", total: "100.00"))
        #expect(quote["discount"] == "5.00")
        #expect(quote["payable"] == "95.00")
        #expect(quote["points_earned"] == .integer(285))

        let committed = try till.call("purchase.commit", purchase("T1", total: "100.00"))
        #expect(committed["result"] == quote, "commit gives what quote promised")
        let retried = try daemon.client().call("purchase.commit", purchase("T1", total: "100.00"))
        #expect(retried["result"] == committed["result"], "a retry gets the first result")
        #expect(reason(try till.call("purchase.commit", purchase("T1", total: "100.01"))) == "transaction_conflict")

        let looked = try till.result("member.lookup", .object([("card", .object([("kind", "uid"), ("value", "04:a1:b2:c3:d4:e5:f6")]))]))
        #expect(looked["balance"] == .integer(285), "awarded once, not twice")

        // Pay 2.00 with 200 points: 20.00 - 1.00 = 19.00, - 2.00 = 17.00 paid → 51 points.
        let second = try till.result("purchase.commit", purchase("T2", total: "20.00", redeem: 200))
        #expect(second["payable"] == "17.00")
        #expect(second["points_earned"] == .integer(51))
        #expect(second["balance_after"] == .integer(285 - 200 + 51))
        #expect(reason(try till.call("purchase.quote", purchase("T3", total: "10.00", redeem: 100_000))) == "redemption_refused")

        let refund = try till.result("purchase.refund", .object([("till_id", "lane-1"), ("transaction_id", "T2"), ("refund_id", "R1")]))
        #expect(refund["points_reversed"] == .integer(51))
        #expect(refund["points_restored"] == .integer(200))
        #expect(refund["balance_after"] == .integer(285))
        #expect(try till.call("purchase.refund", .object([("till_id", "lane-1"), ("transaction_id", "T2"), ("refund_id", "R1")]))["result"] == refund)
        #expect(reason(try till.call("purchase.refund", .object([("till_id", "lane-1"), ("transaction_id", "T2"), ("refund_id", "R2")]))) == "refund_exceeds_purchase")

        #expect(try till.result("purchase.void", .object([("till_id", "lane-1"), ("transaction_id", "T4")]))["voided"] == true)
        #expect(reason(try till.call("purchase.commit", purchase("T4", total: "1.00"))) == "transaction_voided")
        #expect(reason(try till.call("purchase.void", .object([("till_id", "lane-1"), ("transaction_id", "T1")]))) == "already_committed")

        #expect(daemon.stop() == 0)
        let verify = try LoyaltydBinary.run(["db", "verify", "--config", daemon.configPath])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("result: clean"))
        #expect(!daemon.log.contains("Anna"), "no member name in the log")
        #expect(!daemon.log.contains("04A1B2C3D4E5F6"), "no unmasked carrier in the log")
    }

    @Test func badInputGetsAnErrorAndChangesNothing() throws {
        let daemon = try TemporaryDaemon().start()
        let till = try daemon.client()
        _ = try till.result("member.enroll", .object([("card", card)]))
        let frames: [(bytes: [UInt8], reason: String)] = [
            (Array("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":".utf8), "parse_error"),
            ([0x7B, 0xFF, 0xFE, 0x7D], "parse_error"),
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"purchase.commit","params":{"till_id":"t","transaction_id":"x","card":{"kind":"uid","value":"04A1B2C3D4E5F6"},"total":100}}"#.utf8), "invalid_params"),
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"purchase.commit","params":{"till_id":"t","transaction_id":"x","card":{"kind":"uid","value":"04A1B2C3D4E5F6"},"total":"-5.00"}}"#.utf8), "invalid_params"),
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"purchase.commit","params":{"till_id":"t","transaction_id":"x","card":{"kind":"uid","value":"04A1B2C3D4E5F6"},"total":"99999999999999999999.00"}}"#.utf8), "invalid_params"),
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"purchase.commit","params":{"till_id":5,"transaction_id":"x","card":{"kind":"uid","value":"04A1B2C3D4E5F6"},"total":"1.00"}}"#.utf8), "invalid_params"),
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"purchase.commit","params":"oops"}"#.utf8), "invalid_request"),
            (Array(#"{"jsonrpc":"2.0","id":1,"method":"ledger.drop"}"#.utf8), "method_not_found"),
            (Array((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8), "parse_error"),
        ]
        for frame in frames {
            try till.sendLine(frame.bytes)
            let response = try till.readMessage()
            #expect(reason(response) == frame.reason, "\(String(decoding: frame.bytes.prefix(80), as: UTF8.self))")
        }
        let status = try till.result("status")
        #expect(status["database"]?["purchases"] == .integer(0), "no half-written purchase")
        #expect(daemon.isRunning)
    }

    @Test func aLineOverTheLimitIsRefusedAndTheConnectionClosed() throws {
        let daemon = try TemporaryDaemon { $0.maximumLineBytes = 4096 }.start()
        let till = try daemon.client()
        try till.sendRaw([UInt8](repeating: UInt8(ascii: "a"), count: 70_000))
        let response = try till.readMessage()
        #expect(reason(response) == "line_too_long")
        #expect(response["error"]?["code"] == .integer(-32600))
        #expect(till.isClosedByPeer())
        #expect(try daemon.client().result("status")["store_id"] == "test-store", "others are unaffected")
    }

    @Test func aClientLeavingMidRequestLeavesNothingBehind() throws {
        let daemon = try TemporaryDaemon().start()
        _ = try daemon.client().result("member.enroll", .object([("card", card)]))
        do {
            let leaving = try daemon.client()
            let line = JSONWriter.bytes(of: RPCResponse.success(id: 1, result: .null))  // any bytes, cut short
            try leaving.sendRaw(Array(#"{"jsonrpc":"2.0","id":1,"method":"purchase.commit","params":{"till_id":"t","transaction_id":"x","card":"#.utf8) + line.prefix(10))
        }
        let till = try daemon.client()
        #expect(try till.result("status")["database"]?["purchases"] == .integer(0))
        #expect(try till.result("purchase.commit", purchase("T1", total: "1.00"))["points_earned"] == .integer(3))
    }

    @Test func aTillThatHalfClosesStillGetsEveryAnswer() throws {
        let daemon = try TemporaryDaemon().start()
        let till = try daemon.client()
        try till.sendRaw(Array(#"{"jsonrpc":"2.0","id":1,"method":"status"}\#n{"jsonrpc":"2.0","id":2,"method":"status"}\#n"#.utf8))
        till.shutdownWriting()
        #expect(try till.readMessage()["id"] == .integer(1))
        #expect(try till.readMessage()["id"] == .integer(2))
        #expect(till.isClosedByPeer())
    }

    @Test func aCommittedOrVoidedTransactionCannotBeQuotedAgain() throws {
        let daemon = try TemporaryDaemon().start()
        let till = try daemon.client()
        _ = try till.result("member.enroll", .object([("card", card), ("phone", "+49 30 1234567"), ("consent", true)]))
        _ = try till.result("purchase.commit", purchase("T1", total: "10.00"))
        #expect(reason(try till.call("purchase.quote", purchase("T1", total: "10.00"))) == "already_committed")
        _ = try till.result("purchase.void", .object([("till_id", "lane-1"), ("transaction_id", "T2")]))
        #expect(reason(try till.call("purchase.quote", purchase("T2", total: "10.00"))) == "transaction_voided")
        // A phone number identifies one member.
        let other: JSONValue = .object([("kind", "barcode"), ("value", "2900000055555")])
        #expect(reason(try till.call("member.enroll", .object([("card", other), ("phone", "+49301234567"), ("consent", true)]))) == "carrier_in_use")
        #expect(reason(try till.call("member.enroll", .object([("phone", "0049 30 1234567"), ("consent", true)]))) == "carrier_in_use")
    }

    @Test func notificationsAndBatchesFollowJSONRPC() throws {
        let daemon = try TemporaryDaemon().start()
        let till = try daemon.client()
        // A notification (no id) gets no response: the next line read answers the status call.
        try till.sendLine(Array(#"{"jsonrpc":"2.0","method":"status"}"#.utf8))
        #expect(try till.call("status")["id"] == .integer(1))
        try till.sendLine(Array(#"[{"jsonrpc":"2.0","id":"a","method":"status"},{"jsonrpc":"2.0","id":"b","method":"nope"},{"jsonrpc":"2.0","method":"status"}]"#.utf8))
        guard case .array(let answers) = try till.readMessage() else {
            Issue.record("a batch gets an array")
            return
        }
        #expect(answers.map { $0["id"] } == [.string("a"), .string("b")])
        #expect(reason(answers[1]) == "method_not_found")
        #expect(try till.result("events.subscribe", .object([("till_id", "lane-1")]))["subscribed"] == true)
    }

    @Test func connectionsBeyondTheLimitAreRefused() throws {
        let daemon = try TemporaryDaemon { $0.maximumConnections = 2 }.start()
        let first = try daemon.client()
        let second = try daemon.client()
        _ = try first.result("status")
        _ = try second.result("status")
        let third = try daemon.client()
        #expect(reason(try third.readMessage()) == "too_many_connections")
        #expect(third.isClosedByPeer())
    }

    @Test func concurrentCommitsOfOneTransactionAwardOnce() throws {
        let daemon = try TemporaryDaemon().start()
        _ = try daemon.client().result("member.enroll", .object([("card", card)]))
        let answers = Mutex<[JSONValue]>([])
        let socketPath = daemon.socketPath
        let request = purchase("T1", total: "100.00")
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let answer = (try? TillClient(path: socketPath).call("purchase.commit", request)) ?? .null
            answers.withLock { $0.append(answer) }
        }
        let all = answers.withLock { $0 }
        #expect(all.count == 4)
        #expect(Set(all.map { $0["result"] }).count == 1)
        #expect(try daemon.client().result("member.lookup", .object([("card", card)]))["balance"] == .integer(285))
    }
}
