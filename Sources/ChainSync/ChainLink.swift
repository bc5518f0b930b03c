import Synchronization

/// What the box knows of its link to the centre, shared by the sync service (which writes it),
/// `status` and the till's redemption check (which read it).
public final class ChainLink: Sendable {
    /// The link as `status` shows it.
    public struct State: Sendable, Hashable {
        /// When the daemon started trying; an outage is counted from here until the first contact.
        public var startedAtMilliseconds: Int64
        public var lastContactMilliseconds: Int64?
        public var lastError: String?
        public var clockOffsetMilliseconds: Int64?
        public var cursor: Int64 = 0
    }

    private let state: Mutex<State>
    /// The box counts as offline after this long without a successful exchange.
    public let offlineAfterMilliseconds: Int64

    public init(startedAtMilliseconds: Int64, offlineAfterMilliseconds: Int64) {
        state = Mutex(State(startedAtMilliseconds: startedAtMilliseconds))
        self.offlineAfterMilliseconds = offlineAfterMilliseconds
    }

    public var current: State { state.withLock { $0 } }

    func update(_ change: (inout State) -> Void) {
        state.withLock { change(&$0) }
    }

    /// When the current outage began, or `nil` while the centre is reachable.
    public func offlineSince(nowMilliseconds: Int64) -> Int64? {
        let state = current
        let since = state.lastContactMilliseconds ?? state.startedAtMilliseconds
        return nowMilliseconds - since > offlineAfterMilliseconds ? since : nil
    }
}
