import GRDB

/// What the metrics need from the database, read in one short transaction each interval.
public struct MetricsFigures: Sendable, Hashable {
    /// The newest event's sequence number: where the next call goes on from.
    public var lastEventSequence: Int64
    /// Card reads written since the sequence the call was given, by reader and result.
    public var cardReads: [CardReadCount]
    /// Facts waiting to be pushed and facts quarantined; zero outside a chain.
    public var chainPending: Int
    public var chainQuarantined: Int

    public struct CardReadCount: Sendable, Hashable {
        public var reader: String
        public var result: String
        public var count: Int
    }
}

extension LoyaltyStore {
    /// Card reads since `afterEventSequence` (none on the first call, given `nil`: a counter starts
    /// at zero with the daemon) and, with `chain`, the outbox and quarantine sizes.
    public func metricsFigures(afterEventSequence: Int64?, chain: Bool) async throws(StoreError) -> MetricsFigures {
        try await read { db in
            let last = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM events") ?? 0
            var reads: [String: [String: Int]] = [:]
            if let start = afterEventSequence, start < last {
                // `+kind` keeps SQLite on the rowid range instead of the (kind, at_ms) index: only the new rows are read.
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT reader, detail FROM events WHERE seq > ? AND seq <= ? AND +kind = 'card.read'", arguments: [start, last])
                while let row = try rows.next() {
                    let detail: String = row["detail"]
                    let result = detail.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "unknown"
                    reads[row["reader"] ?? "-", default: [:]][result, default: 0] += 1
                }
            }
            let counts = reads.flatMap { reader, results in
                results.map { MetricsFigures.CardReadCount(reader: reader, result: $0.key, count: $0.value) }
            }
            var pending = 0
            var quarantined = 0
            if chain {
                pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chain_outbox") ?? 0
                quarantined = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chain_quarantine") ?? 0
            }
            return MetricsFigures(lastEventSequence: last, cardReads: counts, chainPending: pending, chainQuarantined: quarantined)
        }
    }
}
