import NIOCore
import Synchronization

/// The open till connections and whether each is in the middle of a request, so that a graceful
/// shutdown can close idle connections at once and let busy ones finish their request first.
/// Created by the daemon and given to the ``TillServer``, so `status` can count connections.
public final class ConnectionRegistry: Sendable {
    private enum ConnectionState {
        case idle
        case busy
    }

    private struct State {
        var connections: [UInt64: (channel: any Channel, state: ConnectionState)] = [:]
        var nextID: UInt64 = 1
        var draining = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Registers a connection, or returns `nil` when `limit` connections are already open or the
    /// server is draining.
    func open(_ channel: any Channel, limit: Int) -> UInt64? {
        state.withLock { state in
            guard !state.draining, state.connections.count < limit else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.connections[id] = (channel, .idle)
            return id
        }
    }

    func close(_ id: UInt64) {
        _ = state.withLock { $0.connections.removeValue(forKey: id) }
    }

    /// Marks a request as started; `false` when the server is draining and the request must not start.
    func beginRequest(_ id: UInt64) -> Bool {
        state.withLock { state in
            guard !state.draining else { return false }
            state.connections[id]?.state = .busy
            return true
        }
    }

    /// Marks a request as finished; `false` when the connection should now close (draining).
    func endRequest(_ id: UInt64) -> Bool {
        state.withLock { state in
            state.connections[id]?.state = .idle
            return !state.draining
        }
    }

    /// Starts draining: no new connections or requests; idle connections are closed now.
    func drain() {
        let idle = state.withLock { state -> [any Channel] in
            state.draining = true
            return state.connections.values.filter { $0.state == .idle }.map(\.channel)
        }
        for channel in idle { channel.close(promise: nil) }
    }

    /// How many tills are connected now.
    public var count: Int { state.withLock { $0.connections.count } }
}
