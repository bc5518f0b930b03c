import Logging
import Synchronization
import TillProtocol
import TillServer

/// The tills that asked for `events.subscribe`, and the fan-out of notifications to them.
///
/// A notification for a lane (a till id) reaches the subscribers of that lane and those that
/// subscribed without one; a notification without a lane reaches everyone.
public final class EventHub: Sendable {
    private struct Subscriber {
        var connection: TillConnection
        var lane: String?
    }

    private let subscribers = Mutex<[UInt64: Subscriber]>([:])
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    func subscribe(_ connection: TillConnection, lane: String?) {
        subscribers.withLock { $0[connection.id] = Subscriber(connection: connection, lane: lane) }
    }

    func unsubscribe(_ connection: TillConnection) {
        _ = subscribers.withLock { $0.removeValue(forKey: connection.id) }
    }

    public var count: Int { subscribers.withLock { $0.count } }

    /// Sends a notification to every matching subscriber; a subscriber that cannot be written to is dropped.
    public func publish(method: String, params: JSONValue, lane: String? = nil) async {
        let targets = subscribers.withLock { all in
            all.values.filter { lane == nil || $0.lane == nil || $0.lane == lane }.map(\.connection)
        }
        let line = JSONWriter.bytes(of: RPCResponse.notification(method: method, params: params))
        for connection in targets {
            do {
                try await connection.send(line)
            } catch {
                logger.debug("dropping a subscriber that cannot be written to", metadata: ["connection": "\(connection.id)"])
                unsubscribe(connection)
            }
        }
    }
}
