import Logging
import Synchronization
import TillProtocol
import TillServer

/// The tills that asked for `events.subscribe`, and the fan-out of notifications to them.
///
/// A notification for a lane (a till id) reaches the subscribers of that lane and those that
/// subscribed without one; a notification without a lane reaches everyone.
///
/// Publishing never waits for a till. Each subscriber has its own bounded queue, emptied into its
/// socket by a task of its own, so a till that stops reading delays nobody else: once the socket's
/// buffers are full its notifications wait in its queue, and when the queue is full as well the
/// till is disconnected, with the reason in the log.
public final class EventHub: Sendable {
    /// How many notifications may wait for a subscriber whose socket takes no more; one more and
    /// it is disconnected. The socket's own buffers (hundreds of notifications) come before it,
    /// so a till that reads at all never gets near it.
    public static let defaultQueueLimit = 16

    private struct Subscriber {
        var connection: TillConnection
        var lane: String?
        var queue: AsyncStream<[UInt8]>.Continuation
    }

    private let subscribers = Mutex<[UInt64: Subscriber]>([:])
    private let queueLimit: Int
    private let logger: Logger

    public init(logger: Logger, queueLimit: Int = defaultQueueLimit) {
        self.logger = logger
        self.queueLimit = queueLimit
    }

    /// Subscribes a connection (again: only its lane changes) and starts its delivery task.
    func subscribe(_ connection: TillConnection, lane: String?) {
        let queueLimit = queueLimit
        let newQueue = subscribers.withLock { all -> AsyncStream<[UInt8]>? in
            if all[connection.id] != nil {
                all[connection.id]?.lane = lane
                return nil
            }
            let (stream, queue) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingOldest(queueLimit))
            all[connection.id] = Subscriber(connection: connection, lane: lane, queue: queue)
            return stream
        }
        guard let newQueue else { return }
        let logger = logger
        // Ends when the queue is finished (unsubscribed) or the connection can no longer be written.
        Task {
            for await line in newQueue {
                do {
                    try await connection.send(line)
                } catch {
                    logger.debug("a subscriber's connection cannot be written to", metadata: ["connection": "\(connection.id)"])
                    return
                }
            }
        }
    }

    func unsubscribe(_ connection: TillConnection) {
        let removed = subscribers.withLock { $0.removeValue(forKey: connection.id) }
        removed?.queue.finish()
    }

    public var count: Int { subscribers.withLock { $0.count } }

    /// Queues a notification for every matching subscriber and returns without waiting for any;
    /// a subscriber whose queue is full is disconnected.
    public func publish(method: String, params: JSONValue, lane: String? = nil) async {
        let targets = subscribers.withLock { all in
            all.values.filter { lane == nil || $0.lane == nil || $0.lane == lane }
        }
        let line = JSONWriter.bytes(of: RPCResponse.notification(method: method, params: params))
        for subscriber in targets {
            if case .dropped = subscriber.queue.yield(line) {
                disconnect(subscriber)
            }
        }
    }

    private func disconnect(_ subscriber: Subscriber) {
        let connection = subscriber.connection
        guard subscribers.withLock({ $0.removeValue(forKey: connection.id) }) != nil else { return }
        logger.warning(
            "disconnecting a till that does not read its notifications",
            metadata: [
                "connection": "\(connection.id)", "till": "\(subscriber.lane ?? "all")",
                "peer": "\(connection.peer.map(\.description) ?? "unknown")",
                "reason": "its socket takes no more and \(queueLimit) notifications wait in its queue",
            ])
        subscriber.queue.finish()
        connection.close()
    }
}
