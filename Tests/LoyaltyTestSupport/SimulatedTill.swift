import Foundation
import Synchronization
import TillClient
import TillProtocol

/// A till as the reliability tests drive it: one member card of its own, a connection it opens
/// again whenever the daemon goes away, and a record of every commit the daemon acknowledged.
///
/// It behaves as a careful till must: a commit whose answer it did not get (the daemon was
/// killed, the answer took too long) is sent again with the same ids until it is acknowledged.
/// Its member is used by no other till, so every first acknowledgement must show the balance the
/// till expects (`balance_after` = the previous one + `points_earned`), and every resend must get
/// the first result again. Anything else is written to ``problems``. One thread per till.
public final class SimulatedTill: @unchecked Sendable {
    public let tillID: String
    public let card: JSONValue
    private let socketPath: String
    private var client: TillClient?

    /// Transaction id → the result the daemon acknowledged first.
    public private(set) var acknowledged: [String: JSONValue] = [:]
    public private(set) var memberID: String?
    /// The member's balance as the acknowledged results add up.
    public private(set) var expectedBalance: Int64 = 0
    /// Commits sent again with the same ids, for any reason (readable from any thread).
    public var retries: Int { retryCount.load(ordering: .relaxed) }
    private let retryCount = Atomic<Int>(0)
    /// Resends after the till gave up waiting for an answer.
    public private(set) var timedOutRetries = 0
    /// Resends on a connection other than the one the commit was first sent on.
    public private(set) var retriesOnNewConnection = 0
    /// Connections that failed under the till (the daemon killed or refusing).
    public private(set) var lostConnections = 0
    /// Errors the daemon answered with while the till retried (such as `storage_unavailable`).
    public private(set) var transientErrors: [String: Int] = [:]
    public private(set) var problems: [String] = []

    public init(socketPath: String, tillID: String, card: JSONValue) {
        self.socketPath = socketPath
        self.tillID = tillID
        self.card = card
    }

    /// A card value unique to `index`, for a till's member.
    public static func card(_ index: Int) -> JSONValue {
        .object([("kind", "uid"), ("value", .string(String(format: "04%012X", 0xA1B2_0000_0000 + index)))])
    }

    public func purchase(_ transaction: String, total: String) -> JSONValue {
        .object([("till_id", .string(tillID)), ("transaction_id", .string(transaction)), ("card", card), ("total", .string(total))])
    }

    /// Enrols the till's member.
    public func enroll() throws {
        let member = try connection().result("member.enroll", .object([("card", card)]))
        guard case .string(let id)? = member["member_id"] else { throw TillClientError.malformedResponse("\(member)") }
        memberID = id
    }

    /// Drops the connection; the next call opens a new one.
    public func disconnect() {
        client = nil
    }

    /// Commits until the daemon acknowledges it (reconnecting, waiting out a daemon that is down)
    /// and returns the result, or `nil` when `deadline` passes first. With `impatient`, the first
    /// attempt waits only a millisecond for its answer and then gives up, as a till whose timeout
    /// fired does, and the commit is resent on a new connection.
    @discardableResult
    public func commit(_ transaction: String, total: String, impatient: Bool = false, deadline: Date) -> JSONValue? {
        let request = purchase(transaction, total: total)
        var attempts = 0
        var firstConnection: ObjectIdentifier?
        while Date() < deadline {
            let thisAttempt = attempts
            attempts += 1
            if thisAttempt > 0 { retryCount.add(1, ordering: .relaxed) }
            do throws(TillClientError) {
                let till = try connection()
                if thisAttempt == 0 { firstConnection = ObjectIdentifier(till) } else if ObjectIdentifier(till) != firstConnection {
                    retriesOnNewConnection += 1
                }
                let response = try till.call("purchase.commit", request, timeoutMilliseconds: impatient && thisAttempt == 0 ? 1 : 10_000)
                if let result = response["result"] {
                    accept(transaction, result)
                    return result
                }
                guard case .string(let reason)? = response["error"]?["data"]?["reason"],
                      ["storage_unavailable", "shutting_down", "too_many_connections", "idle_timeout"].contains(reason)
                else {
                    problems.append("\(transaction): unexpected answer \(JSONWriter.string(of: response))")
                    return nil
                }
                transientErrors[reason, default: 0] += 1
                if reason != "storage_unavailable" { client = nil }
                usleep(20_000)
            } catch {
                if case .timedOut = error { timedOutRetries += 1 } else { lostConnections += 1 }
                // An answer may still come on that connection: a new one keeps answers in order.
                client = nil
                usleep(error.isTimeout ? 0 : 20_000)
            }
        }
        problems.append("\(transaction): not acknowledged in time")
        return nil
    }

    /// Sends the same commit on two connections at once, as two tills' retries may cross; both
    /// must get the first result. Returns `false` when a connection failed (then `commit` settles it).
    public func commitTwice(_ transaction: String, total: String) -> Bool {
        let line = JSONWriter.bytes(of: .object([
            ("jsonrpc", "2.0"), ("id", 1), ("method", "purchase.commit"), ("params", purchase(transaction, total: total)),
        ]))
        do {
            let first = try TillClient(path: socketPath)
            let second = try TillClient(path: socketPath)
            try first.sendLine(line)
            try second.sendLine(line)
            let answers = [try first.readMessage(), try second.readMessage()]
            retryCount.add(1, ordering: .relaxed)
            retriesOnNewConnection += 1
            for answer in answers {
                guard let result = answer["result"] else {
                    problems.append("\(transaction): a crossed commit got \(JSONWriter.string(of: answer))")
                    return true
                }
                accept(transaction, result)
            }
            return true
        } catch {
            lostConnections += 1
            return false
        }
    }

    /// Records a first acknowledgement, or checks a repeated one against it.
    private func accept(_ transaction: String, _ result: JSONValue) {
        if let first = acknowledged[transaction] {
            if first != result { problems.append("\(transaction): a resend got a different result") }
            return
        }
        guard let earned = result["points_earned"]?.int64, let after = result["balance_after"]?.int64 else {
            problems.append("\(transaction): result without points_earned/balance_after")
            return
        }
        if after != expectedBalance + earned {
            problems.append("\(transaction): balance_after \(after), expected \(expectedBalance) + \(earned)")
        }
        expectedBalance = after
        acknowledged[transaction] = result
    }

    private func connection() throws(TillClientError) -> TillClient {
        if let client { return client }
        let opened = try TillClient(path: socketPath)
        client = opened
        return opened
    }
}

extension TillClientError {
    fileprivate var isTimeout: Bool {
        if case .timedOut = self { return true }
        return false
    }
}
