import GRDB

/// What this box's database says about its part in the chain, for `loyaltyd chain status`.
public struct ChainReport: Sendable, Hashable {
    /// Whether the box queues its facts (it has run with a `chain:` section).
    public var queuing: Bool
    public var pending: Int
    /// When the oldest fact still waiting to be pushed was made (box clock).
    public var oldestPendingAtMilliseconds: Int64?
    public var pushed: Int64
    public var pulled: Int64
    public var cursor: Int64
    public var headSequence: Int64?
    public var lastContactMilliseconds: Int64?
    public var lastError: String?
    public var clockOffsetMilliseconds: Int64?
    public var quarantined: [QuarantinedFact]
    /// Members whose balance this box sees below zero: points spent twice while stores were apart.
    /// They cannot redeem until earning brings them back above zero.
    public var negativeBalances: Int
    /// Single-use codes that more than one standing use names: boxes apart both accepted the code.
    /// Both sales stand; the code is used everywhere from then on.
    public var codesUsedTwice: Int
    /// By rule id: the promotion uses that stand, and the most that stand for one member, for
    /// ``LoyaltyDomain/LoyaltyProgram/promotionOverruns(totals:mostByOneMember:)``.
    public var promotionUses: [String: Int64]
    public var promotionUsesByOneMember: [String: Int64]

    public struct QuarantinedFact: Sendable, Hashable {
        public var factID: String
        /// `push` (the centre refused it) or `pull` (this box could not apply it).
        public var direction: String
        public var reason: String
        public var atMilliseconds: Int64
    }
}

extension LoyaltyStore {
    public func chainReport() async throws(StoreError) -> ChainReport {
        try await read { db in
            let state = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM chain_state").map { ($0["key"] as String, $0["value"] as String) })
            let pending = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(at_ms) AS oldest FROM chain_outbox")
            let quarantined = try Row.fetchAll(db, sql: """
                SELECT fact_id, direction, reason, at_ms FROM chain_quarantine ORDER BY at_ms DESC LIMIT 50
                """).map { row in
                ChainReport.QuarantinedFact(factID: row["fact_id"], direction: row["direction"], reason: row["reason"], atMilliseconds: row["at_ms"])
            }
            let negative = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM balances WHERE points < 0") ?? 0
            let codesUsedTwice = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM (SELECT code FROM promotion_uses WHERE code IS NOT NULL AND state = 'used' GROUP BY code HAVING COUNT(*) > 1)
                """) ?? 0
            var totals: [String: Int64] = [:]
            var mostByOneMember: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT rule_id, SUM(uses) AS total, MAX(uses) AS most FROM promotion_use_counts WHERE uses > 0 GROUP BY rule_id
                """)
            {
                totals[row["rule_id"]] = row["total"]
                mostByOneMember[row["rule_id"]] = row["most"]
            }
            return ChainReport(
                queuing: state["queue"] == "1", pending: pending?["n"] ?? 0, oldestPendingAtMilliseconds: pending?["oldest"],
                pushed: Int64(state["pushed"] ?? "0") ?? 0, pulled: Int64(state["pulled"] ?? "0") ?? 0,
                cursor: Int64(state["cursor"] ?? "0") ?? 0, headSequence: state["head_seq"].flatMap { Int64($0) },
                lastContactMilliseconds: ["last_contact_ms", "last_push_ms", "last_pull_ms"].compactMap { state[$0].flatMap { Int64($0) } }.max(),
                lastError: state["last_error"],
                clockOffsetMilliseconds: state["clock_offset_ms"].flatMap { Int64($0) }, quarantined: quarantined,
                negativeBalances: negative, codesUsedTwice: codesUsedTwice,
                promotionUses: totals, promotionUsesByOneMember: mostByOneMember)
        }
    }
}
