import Synchronization

/// What a connection is doing, as its ``ConnectionDeadlineHandler`` needs to know before it calls
/// the connection idle: whether a request is executing (a commit may wait on the disk), and whether
/// the till subscribed to notifications and so is silent by design. Shared between the event loop
/// and the connection's task.
final class ConnectionActivity: Sendable {
    private let requestsInFlight = Atomic<Int>(0)
    private let listening = Atomic<Bool>(false)
    private let refused = Atomic<Bool>(false)
    private let identifier = Atomic<UInt64>(0)

    var isBusy: Bool { requestsInFlight.load(ordering: .relaxed) > 0 }
    var isListening: Bool { listening.load(ordering: .relaxed) }
    /// The connection was refused and is being ended: no timeout may add a line after the refusal.
    var isRefused: Bool { refused.load(ordering: .relaxed) }

    /// The connection's id in the registry (as logs name it); 0 until it is registered.
    var connectionID: UInt64 { identifier.load(ordering: .relaxed) }

    func identify(as id: UInt64) { identifier.store(id, ordering: .relaxed) }
    func requestStarted() { requestsInFlight.add(1, ordering: .relaxed) }
    func requestFinished() { requestsInFlight.subtract(1, ordering: .relaxed) }
    func startListening() { listening.store(true, ordering: .relaxed) }
    func refuse() { refused.store(true, ordering: .relaxed) }
}
