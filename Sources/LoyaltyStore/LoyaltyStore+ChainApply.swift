import GRDB
import LoyaltyDomain

/// A fact as the centre hands it out: with the central sequence it was committed at, and the
/// store and box that made it (from the centre's role table, never from the fact itself).
public struct PulledChainFact: Sendable, Hashable {
    public var sequence: Int64
    public var fact: ChainFact
    public var storeID: String
    public var boxID: String

    public init(sequence: Int64, fact: ChainFact, storeID: String, boxID: String) {
        self.sequence = sequence
        self.fact = fact
        self.storeID = storeID
        self.boxID = boxID
    }
}

/// What one pull changed here.
public struct ChainApplyOutcome: Sendable, Hashable {
    /// Facts that changed something here.
    public var applied = 0
    /// Facts already here (this box's own, or the same derived fact made in two places).
    public var alreadyKnown = 0
    /// Facts this box could not apply; kept in the quarantine with the reason.
    public var refused = 0

    public init() {}
}

extension LoyaltyStore {
    /// The central sequence up to which this box has applied every fact.
    public func chainCursor() async throws(StoreError) -> Int64 {
        try await read { db in Int64(try String.fetchOne(db, sql: "SELECT value FROM chain_state WHERE key = 'cursor'") ?? "0") ?? 0 }
    }

    /// Applies facts pulled from the centre, in central order, and moves the cursor past them, in
    /// one transaction. Each fact is inserted if absent (facts are keyed by global ids, so the same
    /// fact made twice collapses into one); state facts (a member's or a carrier's status, a coupon
    /// used) are applied in central order, unless this box has a newer change of the same row still
    /// waiting to be pushed. The caches (balances, totals, activity) move with the rows, as for a
    /// local write. A fact that cannot be applied is quarantined and the rest go on.
    public func applyPulledFacts(_ facts: [PulledChainFact], through cursor: Int64, nowMilliseconds: Int64) async throws(StoreError) -> ChainApplyOutcome {
        try await write { db in
            var outcome = ChainApplyOutcome()
            // The rows written here are the centre's: they must not be queued to be pushed again.
            try db.execute(sql: "UPDATE chain_state SET value = '0' WHERE key = 'queue'")
            // Within what arrived, rows that others refer to go first (members before their cards,
            // purchases before their ledger entries); the centre's order is kept within each kind.
            for pulled in facts.sorted(by: { (Self.applyRank($0.fact.kind), $0.sequence) < (Self.applyRank($1.fact.kind), $1.sequence) }) {
                switch try self.applyOrSetAside(pulled, in: db, nowMilliseconds: nowMilliseconds) {
                case .applied: outcome.applied += 1
                case .alreadyKnown: outcome.alreadyKnown += 1
                case .refused: outcome.refused += 1
                case .deferred: break
                }
            }
            outcome.applied += try self.applyDeferred(in: db, nowMilliseconds: nowMilliseconds)
            try self.sweepMerged(Set(facts.compactMap(\.fact.memberID)), in: db, nowMilliseconds: nowMilliseconds)
            try db.execute(sql: "UPDATE chain_state SET value = '1' WHERE key = 'queue'")
            try Self.setChainState(db, "cursor", String(cursor))
            try Self.setChainState(db, "last_pull_ms", String(nowMilliseconds))
            try Self.addChainCounter(db, "pulled", outcome.applied)
            return outcome
        }
    }

    /// The order kinds are applied in, so that what a fact refers to is there first.
    static func applyRank(_ kind: String) -> Int {
        ["member", "carrier", "purchase", "refund", "ledger", "coupon", "sale", "promotion_code", "promotion_use"].firstIndex(of: kind) ?? 99
    }

    private enum ApplyResult { case applied, alreadyKnown, deferred, refused }

    /// Applies one fact in a savepoint. One that refers to a row not here yet is set aside in
    /// `chain_deferred`; one that cannot be applied at all is quarantined. Neither stops the others.
    private func applyOrSetAside(_ pulled: PulledChainFact, in db: Database, nowMilliseconds: Int64) throws -> ApplyResult {
        do {
            var changed = false
            try db.inSavepoint {
                changed = try self.apply(pulled, in: db)
                return .commit
            }
            return changed ? .applied : .alreadyKnown
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            try db.execute(sql: """
                INSERT OR IGNORE INTO chain_deferred (seq, fact_id, kind, member_id, store_id, box_id, body, at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    pulled.sequence, pulled.fact.id, pulled.fact.kind, pulled.fact.memberID, pulled.storeID, pulled.boxID,
                    pulled.fact.body, pulled.fact.atMilliseconds,
                ])
            return .deferred
        } catch {
            try db.execute(sql: """
                INSERT INTO chain_quarantine (fact_id, direction, reason, body, at_ms) VALUES (?, 'pull', ?, ?, ?)
                ON CONFLICT (fact_id, direction) DO UPDATE SET reason = excluded.reason, at_ms = excluded.at_ms
                """, arguments: [pulled.fact.id, "\(error)", pulled.fact.body, nowMilliseconds])
            return .refused
        }
    }

    /// Retries the facts set aside, as long as each round applies some; returns how many it applied.
    private func applyDeferred(in db: Database, nowMilliseconds: Int64) throws -> Int {
        var applied = 0
        while true {
            let waiting = try Row.fetchAll(db, sql: "SELECT * FROM chain_deferred ORDER BY seq").map { row in
                PulledChainFact(
                    sequence: row["seq"],
                    fact: ChainFact(id: row["fact_id"], kind: row["kind"], memberID: row["member_id"], atMilliseconds: row["at_ms"], body: row["body"]),
                    storeID: row["store_id"], boxID: row["box_id"])
            }.sorted { (Self.applyRank($0.fact.kind), $0.sequence) < (Self.applyRank($1.fact.kind), $1.sequence) }
            var progress = false
            for pulled in waiting {
                try db.execute(sql: "DELETE FROM chain_deferred WHERE seq = ?", arguments: [pulled.sequence])
                switch try applyOrSetAside(pulled, in: db, nowMilliseconds: nowMilliseconds) {
                case .applied, .alreadyKnown:
                    applied += 1
                    progress = true
                case .refused:
                    progress = true
                case .deferred:
                    break
                }
            }
            if !progress { return applied }
        }
    }

    /// The same card enrolled for two members in two stores while they could not see each other:
    /// here it belongs to one member, the fact links it to another, by a link of its own (another
    /// link time; a card moved by a merge keeps its link time). Every box resolves it the same way,
    /// whatever order the two facts reach it in: the member enrolled first survives (by enrolment
    /// time, then id), and the other is merged into it with `adjust` entries whose ids both derive
    /// from the two members. Returns `true` when it merged, `nil` when there is no such conflict.
    private func enrolledTwice(_ carrier: Carrier, member: MemberID, linkedAt: Int64, in db: Database) throws -> Bool? {
        guard let local = try db.cachedRow(sql: "SELECT member_id, created_at_ms FROM carriers WHERE kind = ? AND value = ?",
                                            arguments: [carrier.kind.rawValue, carrier.value]),
              let holder: String = local["member_id"], holder != member, local["created_at_ms"] != linkedAt
        else { return nil }
        let members = try Row.fetchAll(db, sql: """
            SELECT id FROM members WHERE id IN (?, ?) AND merged_into IS NULL ORDER BY created_at_ms, id
            """, arguments: [holder, member])
        guard members.count == 2, let survivor: String = members[0]["id"], let merged: String = members[1]["id"] else { return nil }
        try mergeRows(
            db, merged, into: survivor, rulesVersion: "chain", nowMilliseconds: linkedAt,
            adjustIDs: ("\(merged):merged-out", "\(survivor):merged-in:\(merged)"))
        return true
    }

    /// A member merged here (a card enrolled twice) may still get facts from a box that made them
    /// before it learnt of the merge: what they brought moves on to the survivor, so every box
    /// ends with the survivor holding everything, whatever order the facts came in.
    private func sweepMerged(_ members: Set<MemberID>, in db: Database, nowMilliseconds: Int64) throws {
        for member in members {
            guard let survivor = try db.cachedValue(String.self, sql: "SELECT merged_into FROM members WHERE id = ?", arguments: [member]) else { continue }
            try moveHoldings(db, from: member, to: survivor, rulesVersion: "chain", nowMilliseconds: nowMilliseconds, adjustIDs: nil)
        }
    }

    /// Whether this box has a change of the same row waiting to be pushed: it is newer than any
    /// fact about that row the centre holds, so the pulled one must not overwrite it.
    private static func hasPendingChange(kind: String, ref: String, in db: Database) throws -> Bool {
        try db.cachedValue(Bool.self, sql: "SELECT 1 FROM chain_outbox WHERE kind = ? AND ref = ? LIMIT 1", arguments: [kind, ref]) == true
    }

    /// Applies one fact; returns whether anything changed.
    private func apply(_ pulled: PulledChainFact, in db: Database) throws -> Bool {
        let body = pulled.fact.body
        let b: StatementArguments = ["b": body]
        /// Till ids of another store live in that store's namespace.
        let tillPrefix = pulled.storeID == ids.storeID ? "" : pulled.storeID + ":"
        switch pulled.fact.kind {
        case "member":
            guard let id = try db.cachedValue(String.self, sql: "SELECT json_extract(:b, '$.id')", arguments: b) else { throw ChainApplyError.malformed("member without id") }
            let known = try db.cachedValue(Bool.self, sql: "SELECT 1 FROM members WHERE id = ?", arguments: [id]) == true
            if known, try Self.hasPendingChange(kind: "member", ref: id, in: db) { return false }
            try db.cachedExecute(sql: """
                INSERT INTO members (id, name, phone, birthday, status, consent_at_ms, created_at_ms, card_group, merged_into)
                SELECT json_extract(:b, '$.id'), json_extract(:b, '$.name'), json_extract(:b, '$.phone'), json_extract(:b, '$.birthday'),
                    json_extract(:b, '$.status'), json_extract(:b, '$.consent_at_ms'), json_extract(:b, '$.created_at_ms'),
                    json_extract(:b, '$.group'), json_extract(:b, '$.merged_into') WHERE true
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, birthday = excluded.birthday,
                    status = excluded.status, consent_at_ms = excluded.consent_at_ms, card_group = excluded.card_group,
                    merged_into = excluded.merged_into
                WHERE (members.name, members.phone, members.birthday, members.status, members.consent_at_ms, members.card_group, members.merged_into)
                    IS NOT (excluded.name, excluded.phone, excluded.birthday, excluded.status, excluded.consent_at_ms, excluded.card_group, excluded.merged_into)
                """, arguments: b)
            return db.changesCount > 0
        case "carrier":
            guard let row = try db.cachedRow(sql: """
                SELECT json_extract(:b, '$.kind') AS kind, json_extract(:b, '$.value') AS value,
                    json_extract(:b, '$.member_id') AS member_id, json_extract(:b, '$.status') AS status,
                    COALESCE(json_extract(:b, '$.created_at_ms'), 0) AS created_at_ms
                """, arguments: b), let kind: String = row["kind"], let value: String = row["value"], let member: String = row["member_id"]
            else { throw ChainApplyError.malformed("carrier without kind, value or member") }
            // The same checks as every other door: a bank card never lands here, whoever sent it.
            let carrier = try Carrier(kind: CarrierKind(rawValue: kind) ?? .barcode, value: value)
            let status: String = row["status"]
            if status != "unlinked", let survivor = try enrolledTwice(carrier, member: member, linkedAt: row["created_at_ms"], in: db) {
                return survivor
            }
            if try Self.hasPendingChange(kind: "carrier", ref: "\(kind):\(value)", in: db) { return false }
            if status == "unlinked" {
                try db.cachedExecute(sql: "DELETE FROM carriers WHERE kind = ? AND value = ? AND member_id = ?", arguments: [kind, carrier.value, member])
            } else {
                try db.cachedExecute(sql: """
                    INSERT INTO carriers (kind, value, member_id, status, created_at_ms) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (kind, value) DO UPDATE SET member_id = excluded.member_id, status = excluded.status
                    WHERE (carriers.member_id, carriers.status) IS NOT (excluded.member_id, excluded.status)
                    """, arguments: [kind, carrier.value, member, status, row["created_at_ms"]])
            }
            return db.changesCount > 0
        case "purchase":
            try db.cachedExecute(sql: """
                INSERT INTO purchases (id, till_id, transaction_id, state, member_id, fingerprint, total, discount, redeemed_value,
                    payable, points_earned, points_redeemed, reward_points, spend, rules_version, result, at_ms)
                SELECT json_extract(:b, '$.id'), :prefix || json_extract(:b, '$.till_id'), json_extract(:b, '$.transaction_id'),
                    json_extract(:b, '$.state'), json_extract(:b, '$.member_id'), json_extract(:b, '$.fingerprint'),
                    json_extract(:b, '$.total'), json_extract(:b, '$.discount'), json_extract(:b, '$.redeemed_value'),
                    json_extract(:b, '$.payable'), json_extract(:b, '$.points_earned'), json_extract(:b, '$.points_redeemed'),
                    json_extract(:b, '$.reward_points'), json_extract(:b, '$.spend'), json_extract(:b, '$.rules_version'),
                    json_extract(:b, '$.result'), json_extract(:b, '$.at_ms') WHERE true
                ON CONFLICT DO NOTHING
                """, arguments: ["b": body, "prefix": tillPrefix])
            guard db.changesCount > 0 else { return false }
            try db.cachedExecute(sql: """
                INSERT INTO purchase_lines (purchase_id, position, sku, category, amount, points_earned, excluded_from_earning)
                SELECT json_extract(:b, '$.id'), json_extract(value, '$.position'), json_extract(value, '$.sku'),
                    json_extract(value, '$.category'), json_extract(value, '$.amount'), json_extract(value, '$.points_earned'),
                    COALESCE(json_extract(value, '$.excluded_from_earning'), 0)
                FROM json_each(:b, '$.lines')
                """, arguments: b)
            try db.cachedExecute(sql: """
                INSERT INTO purchase_rewards (purchase_id, position, sku, quantity, points)
                SELECT json_extract(:b, '$.id'), json_extract(value, '$.position'), json_extract(value, '$.sku'),
                    json_extract(value, '$.quantity'), json_extract(value, '$.points')
                FROM json_each(:b, '$.rewards')
                """, arguments: b)
            let row = try db.cachedRow(sql: """
                SELECT json_extract(:b, '$.member_id') AS member_id, json_extract(:b, '$.state') AS state,
                    json_extract(:b, '$.spend') AS spend, json_extract(:b, '$.at_ms') AS at_ms
                """, arguments: b)
            if let row, let member: String = row["member_id"], row["state"] == "committed" {
                try addActivity(db, member: member, spend: Money(minorUnits: row["spend"]), visits: 1, purchasedAt: row["at_ms"])
            }
            return true
        case "refund":
            try db.cachedExecute(sql: """
                INSERT INTO refunds (id, till_id, refund_id, purchase_id, amount, points_reversed, points_restored, points_forgiven, spend, result, at_ms)
                SELECT json_extract(:b, '$.id'), :prefix || json_extract(:b, '$.till_id'), json_extract(:b, '$.refund_id'),
                    json_extract(:b, '$.purchase_id'), json_extract(:b, '$.amount'), json_extract(:b, '$.points_reversed'),
                    json_extract(:b, '$.points_restored'), json_extract(:b, '$.points_forgiven'), json_extract(:b, '$.spend'),
                    json_extract(:b, '$.result'), json_extract(:b, '$.at_ms') WHERE true
                ON CONFLICT DO NOTHING
                """, arguments: ["b": body, "prefix": tillPrefix])
            guard db.changesCount > 0 else { return false }
            try db.cachedExecute(sql: """
                UPDATE purchase_lines SET refunded = max(refunded, (
                    SELECT json_extract(value, '$.refunded') FROM json_each(:b, '$.lines_refunded')
                    WHERE json_extract(value, '$.position') = purchase_lines.position))
                WHERE purchase_id = json_extract(:b, '$.purchase_id')
                    AND position IN (SELECT json_extract(value, '$.position') FROM json_each(:b, '$.lines_refunded'))
                """, arguments: b)
            try db.cachedExecute(sql: """
                UPDATE purchase_rewards SET returned_refund_id = json_extract(:b, '$.id')
                WHERE purchase_id = json_extract(:b, '$.purchase_id') AND returned_refund_id IS NULL
                    AND position IN (SELECT value FROM json_each(:b, '$.rewards_returned'))
                """, arguments: b)
            // What the refund takes back of the spend and visits tiers count, as in the store that made it.
            if let row = try db.cachedRow(sql: """
                SELECT p.member_id, p.at_ms, p.total - (SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE purchase_id = p.id) AS remaining
                FROM purchases p WHERE p.id = json_extract(:b, '$.purchase_id')
                """, arguments: b), let member: String = row["member_id"] {
                let spend = try db.cachedValue(Int64.self, sql: "SELECT json_extract(:b, '$.spend')", arguments: b) ?? 0
                let remaining: Int64 = row["remaining"]
                try addActivity(db, member: member, spend: Money(minorUnits: -spend), visits: remaining == 0 ? -1 : 0, purchasedAt: row["at_ms"])
            }
            return true
        case "ledger":
            guard let row = try db.cachedRow(sql: """
                SELECT json_extract(:b, '$.id') AS id, json_extract(:b, '$.member_id') AS member_id, json_extract(:b, '$.kind') AS kind,
                    json_extract(:b, '$.points') AS points, json_extract(:b, '$.purchase_id') AS purchase_id,
                    json_extract(:b, '$.refund_id') AS refund_id, json_extract(:b, '$.rules_version') AS rules_version,
                    json_extract(:b, '$.note') AS note, json_extract(:b, '$.at_ms') AS at_ms,
                    json_extract(:b, '$.available_at_ms') AS available_at_ms, json_extract(:b, '$.expires_at_ms') AS expires_at_ms,
                    json_extract(:b, '$.lot_id') AS lot_id
                """, arguments: b), let id: String = row["id"], let member: String = row["member_id"],
                let kind = LedgerKind(rawValue: row["kind"] ?? ""), let points: Int64 = row["points"]
            else { throw ChainApplyError.malformed("ledger entry without id, member, kind or points") }
            let lot: LotTimes? = kind == .earn ? LotTimes(availableAt: row["available_at_ms"], expiresAt: row["expires_at_ms"]) : nil
            return try appendLedger(
                db, id: id, member: member, kind: kind, points: Points(points), purchaseID: row["purchase_id"], refundID: row["refund_id"],
                rulesVersion: row["rules_version"], note: row["note"], lot: lot, expiredLot: row["lot_id"], nowMilliseconds: row["at_ms"])
        case "coupon":
            guard let id = try db.cachedValue(String.self, sql: "SELECT json_extract(:b, '$.id')", arguments: b) else { throw ChainApplyError.malformed("coupon without id") }
            if try Self.hasPendingChange(kind: "coupon", ref: id, in: db) { return false }
            try db.cachedExecute(sql: """
                INSERT INTO coupons (id, member_id, rule_id, percent_millionths, min_total, issued_purchase_id, issued_at_ms, expires_at_ms,
                    state, used_purchase_id, changed_at_ms)
                SELECT json_extract(:b, '$.id'), json_extract(:b, '$.member_id'), json_extract(:b, '$.rule_id'),
                    json_extract(:b, '$.percent_millionths'), json_extract(:b, '$.min_total'), json_extract(:b, '$.issued_purchase_id'),
                    json_extract(:b, '$.issued_at_ms'), json_extract(:b, '$.expires_at_ms'), json_extract(:b, '$.state'),
                    json_extract(:b, '$.used_purchase_id'), json_extract(:b, '$.changed_at_ms') WHERE true
                ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, state = excluded.state,
                    used_purchase_id = excluded.used_purchase_id, changed_at_ms = excluded.changed_at_ms
                WHERE (coupons.member_id, coupons.state, coupons.used_purchase_id) IS NOT (excluded.member_id, excluded.state, excluded.used_purchase_id)
                """, arguments: b)
            return db.changesCount > 0
        case "sale":
            try db.cachedExecute(sql: """
                INSERT INTO sales (id, till_id, transaction_id, total, at_ms)
                SELECT json_extract(:b, '$.id'), :prefix || json_extract(:b, '$.till_id'), json_extract(:b, '$.transaction_id'),
                    json_extract(:b, '$.total'), json_extract(:b, '$.at_ms') WHERE true
                ON CONFLICT DO NOTHING
                """, arguments: ["b": body, "prefix": tillPrefix])
            return db.changesCount > 0
        case "promotion_code", "promotion_use":
            return try applyPromotion(pulled.fact.kind, body: body, in: db)
        default:
            throw ChainApplyError.malformed("unknown kind \(pulled.fact.kind)")
        }
    }
}

/// Why a pulled fact could not be applied here.
enum ChainApplyError: Error, CustomStringConvertible {
    case malformed(String)

    var description: String {
        switch self {
        case .malformed(let why): "malformed fact: \(why)"
        }
    }
}
