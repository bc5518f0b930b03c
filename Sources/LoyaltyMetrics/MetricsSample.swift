/// What the daemon is at one moment, gathered every interval for the gauges (the counters and
/// latencies are recorded as requests happen).
public struct MetricsSample: Sendable, Hashable {
    /// Card reads since the previous sample, by reader and result (`member`, `unknown_card`, …).
    public struct CardReads: Sendable, Hashable {
        public var reader: String
        public var result: String
        public var count: Int

        public init(reader: String, result: String, count: Int) {
            self.reader = reader
            self.result = result
            self.count = count
        }
    }

    /// The chain's sync, when this box belongs to one.
    public struct Chain: Sendable, Hashable {
        public var pendingFacts: Int
        public var quarantinedFacts: Int
        /// The last successful exchange with the centre (Unix time, seconds); nil before the first.
        public var lastSuccessSeconds: Double?
        public var online: Bool

        public init(pendingFacts: Int, quarantinedFacts: Int, lastSuccessSeconds: Double?, online: Bool) {
            self.pendingFacts = pendingFacts
            self.quarantinedFacts = quarantinedFacts
            self.lastSuccessSeconds = lastSuccessSeconds
            self.online = online
        }
    }

    public var readersPresent: Int
    public var readersUnusable: Int
    public var tillConnections: Int
    public var databaseBytes: Int64
    public var walBytes: Int64
    public var rulesVersion: String
    public var newCardReads: [CardReads]
    public var chain: Chain?

    public init(
        readersPresent: Int, readersUnusable: Int, tillConnections: Int, databaseBytes: Int64, walBytes: Int64, rulesVersion: String,
        newCardReads: [CardReads], chain: Chain?
    ) {
        self.readersPresent = readersPresent
        self.readersUnusable = readersUnusable
        self.tillConnections = tillConnections
        self.databaseBytes = databaseBytes
        self.walBytes = walBytes
        self.rulesVersion = rulesVersion
        self.newCardReads = newCardReads
        self.chain = chain
    }
}
