import LoyaltyStore

/// How a box reaches the chain's centre. The daemon speaks to PostgreSQL directly today
/// (``PostgresChainTransport``); an HTTPS gateway in front of the same SQL functions would be
/// another implementation of this protocol, and nothing else would change.
public protocol ChainTransport: Sendable {
    /// Says who this box is and what it runs; returns what the centre knows of it. A technician's
    /// command passes `nil` versions: only the daemon says what the box runs.
    func hello(rulesVersion: String?, daemonVersion: String?, boxTimeMilliseconds: Int64) async throws -> ChainHello
    /// Every box of the chain as the centre last heard from it.
    func boxes() async throws -> [ChainBox]
    /// Sends facts; the centre inserts each one it does not have, in one transaction, and
    /// quarantines those it refuses. Returns once that transaction committed.
    func push(_ facts: [ChainFact]) async throws -> ChainPushOutcome
    /// Facts with a central sequence above `after`, in sequence order, at most `limit`.
    func pull(after: Int64, limit: Int) async throws -> [PulledChainFact]
    /// Closes the connection, if any; the next call opens a new one.
    func close() async
}

/// The centre's answer to ``ChainTransport/hello(rulesVersion:daemonVersion:boxTimeMilliseconds:)``.
public struct ChainHello: Sendable, Hashable {
    public var boxID: String
    public var storeID: String
    /// The highest committed central sequence.
    public var headSequence: Int64
    /// This box's clock minus the centre's.
    public var clockOffsetMilliseconds: Int64
}

/// A box of the chain as the centre knows it: what it runs and when it was last in touch.
public struct ChainBox: Sendable, Hashable {
    public var boxID: String
    public var storeID: String
    /// `nil` until the box's daemon first said hello.
    public var rulesVersion: String?
    public var daemonVersion: String?
    public var lastSeenMilliseconds: Int64?
    public var clockOffsetMilliseconds: Int64?
}

/// What one push did centrally.
public struct ChainPushOutcome: Sendable, Hashable {
    public var inserted: Int
    public var duplicates: Int
    public var quarantined: [Refusal]

    public struct Refusal: Sendable, Hashable {
        public var factID: String
        public var reason: String
    }
}
