import Foundation
import Logging
import LoyaltyStore
import NIOCore
import PostgresNIO

/// The centre reached directly: one PostgreSQL connection, opened when needed and dropped on any
/// error (the next call opens a new one), calling only the versioned `loyalty_chain.*_v1`
/// functions the box's role may execute. It never touches a table.
public actor PostgresChainTransport: ChainTransport {
    private let address: CentralDatabaseAddress
    private let eventLoop: any EventLoop
    private let logger: Logger
    private var connection: PostgresConnection?
    private var nextConnectionID = 1

    public init(address: CentralDatabaseAddress, eventLoop: any EventLoop, logger: Logger) {
        self.address = address
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// Runs `body` on the connection, opening it first; a failure closes it, so a half-broken
    /// link is never reused.
    private func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let current: PostgresConnection
        // A query sent on a connection the server already closed is never answered (PostgresNIO),
        // so a closed one is replaced before it is used.
        if let connection, !connection.isClosed {
            current = connection
        } else {
            current = try await PostgresConnection.connect(
                on: eventLoop, configuration: try address.connectionConfiguration(), id: nextConnectionID, logger: logger)
            nextConnectionID += 1
            connection = current
        }
        do {
            return try await body(current)
        } catch {
            connection = nil
            Self.drop(current)
            throw error
        }
    }

    public func hello(rulesVersion: String?, daemonVersion: String?, boxTimeMilliseconds: Int64) async throws -> ChainHello {
        let logger = self.logger
        let text = try await withConnection { connection in
            let rows = try await connection.query(
                "SELECT loyalty_chain.hello_v1(\(rulesVersion), \(daemonVersion), \(boxTimeMilliseconds))::text", logger: logger)
            for try await (text) in rows.decode(String.self) { return text }
            throw ChainProtocolError("hello_v1 returned no row")
        }
        let object = try Self.object(text)
        return ChainHello(
            boxID: object["box_id"] as? String ?? "", storeID: object["store_id"] as? String ?? "",
            headSequence: (object["head_seq"] as? NSNumber)?.int64Value ?? 0,
            clockOffsetMilliseconds: (object["clock_offset_ms"] as? NSNumber)?.int64Value ?? 0)
    }

    public func boxes() async throws -> [ChainBox] {
        let logger = self.logger
        return try await withConnection { connection in
            let rows = try await connection.query(
                "SELECT box_id, store_id, rules_version, daemon_version, last_seen_ms, clock_offset_ms FROM loyalty_chain.boxes_v1()",
                logger: logger)
            var boxes: [ChainBox] = []
            for try await (box, store, rules, daemon, seen, offset) in rows.decode((String, String, String?, String?, Int64?, Int64?).self) {
                boxes.append(ChainBox(
                    boxID: box, storeID: store, rulesVersion: rules, daemonVersion: daemon, lastSeenMilliseconds: seen, clockOffsetMilliseconds: offset))
            }
            return boxes
        }
    }

    public func push(_ facts: [ChainFact]) async throws -> ChainPushOutcome {
        // The batch as push_v1 takes it; bodies are JSON already and go in as they are.
        var batch = "["
        for (index, fact) in facts.enumerated() {
            if index > 0 { batch += "," }
            batch += "{\"id\":\(Self.quoted(fact.id)),\"kind\":\(Self.quoted(fact.kind)),\"member_id\":"
            batch += fact.memberID.map(Self.quoted) ?? "null"
            batch += ",\"at_ms\":\(fact.atMilliseconds),\"body\":\(fact.body)}"
        }
        batch += "]"
        let logger = self.logger
        let text = try await withConnection { connection in
            let rows = try await connection.query("SELECT loyalty_chain.push_v1(\(batch)::jsonb)::text", logger: logger)
            for try await (text) in rows.decode(String.self) { return text }
            throw ChainProtocolError("push_v1 returned no row")
        }
        let object = try Self.object(text)
        let refused = (object["quarantined"] as? [[String: Any]] ?? []).map {
            ChainPushOutcome.Refusal(factID: $0["id"] as? String ?? "", reason: $0["reason"] as? String ?? "")
        }
        return ChainPushOutcome(
            inserted: (object["inserted"] as? NSNumber)?.intValue ?? 0, duplicates: (object["duplicates"] as? NSNumber)?.intValue ?? 0,
            quarantined: refused)
    }

    public func pull(after: Int64, limit: Int) async throws -> [PulledChainFact] {
        let logger = self.logger
        let limit = Int32(limit)
        return try await withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT seq, fact_id, kind, member_id, store_id, box_id, body::text, box_time_ms
                FROM loyalty_chain.pull_v1(\(after), \(limit))
                """, logger: logger)
            var facts: [PulledChainFact] = []
            for try await (seq, id, kind, member, store, box, body, time) in rows.decode((Int64, String, String, String?, String, String, String, Int64).self) {
                facts.append(PulledChainFact(
                    sequence: seq, fact: ChainFact(id: id, kind: kind, memberID: member, atMilliseconds: time, body: body),
                    storeID: store, boxID: box))
            }
            return facts
        }
    }

    public func close() async {
        if let connection {
            self.connection = nil
            Self.drop(connection)
        }
    }

    /// Closes a connection without waiting for it: one whose peer vanished may never finish
    /// closing, and nothing here needs it to.
    private static func drop(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        // The connection must live until it is closed (PostgresNIO checks that it was).
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The centre's JSON answers are small objects of strings and integers.
    private static func object(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ChainProtocolError("expected a JSON object, got \(text.prefix(80))")
        }
        return object
    }
}

/// The centre answered something this daemon does not understand.
public struct ChainProtocolError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
