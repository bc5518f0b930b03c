import GRDB
import LoyaltyDomain

/// What the outbox holds: facts made here and not yet acknowledged by the centre.
public struct ChainOutboxBatch: Sendable {
    /// The facts, in the order they were made, with their bodies read from the rows now.
    public var facts: [ChainFact]
    /// The outbox position of the last fact: ``LoyaltyStore/acknowledgePush(through:quarantined:nowMilliseconds:)`` takes it.
    public var through: Int64
}

extension LoyaltyStore {
    /// Whether this box queues its facts for a chain (`chain:` in the config). The first time,
    /// every row already in the database is queued too, so a store that joins a chain brings its
    /// members, purchases and ledger with it.
    public func enableChainQueue() async throws(StoreError) {
        try await write { db in
            guard try String.fetchOne(db, sql: "SELECT value FROM chain_state WHERE key = 'queue'") != "1" else { return }
            if try String.fetchOne(db, sql: "SELECT value FROM chain_state WHERE key = 'backfilled'") == nil {
                try db.execute(sql: Self.backfill)
                try db.execute(sql: "INSERT INTO chain_state (key, value) VALUES ('backfilled', '1')")
            }
            try db.execute(sql: "UPDATE chain_state SET value = '1' WHERE key = 'queue'")
        }
    }

    /// Everything a box held before it joined, in the order the pull side can apply it.
    private static let backfill = """
        INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) SELECT id, 'member', id, id, created_at_ms FROM members ORDER BY created_at_ms, id;
        INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms)
            SELECT \(ChainOutboxSchema.linkID("carriers")), 'carrier', kind || ':' || value, member_id, created_at_ms FROM carriers ORDER BY created_at_ms;
        INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) SELECT id, 'purchase', id, member_id, at_ms FROM purchases ORDER BY at_ms, id;
        INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) SELECT id, 'refund', id, NULL, at_ms FROM refunds ORDER BY at_ms, id;
        INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) SELECT id, 'ledger', id, member_id, at_ms FROM ledger ORDER BY at_ms, id;
        INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) SELECT id, 'coupon', id, member_id, issued_at_ms FROM coupons ORDER BY issued_at_ms, id;
        INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) SELECT id, 'sale', id, NULL, at_ms FROM sales ORDER BY at_ms, id;
        INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms)
            SELECT 'code#' || code, 'promotion_code', code, NULL, created_at_ms FROM promo_codes ORDER BY created_at_ms, code;
        INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms)
            SELECT \(ChainOutboxSchema.useID("promotion_uses")), 'promotion_use', json_array(purchase_id, rule_id), member_id, at_ms
            FROM promotion_uses ORDER BY at_ms, purchase_id, rule_id;
        """

    /// Up to `limit` facts the centre has not acknowledged, oldest first.
    public func pendingChainFacts(limit: Int) async throws(StoreError) -> ChainOutboxBatch {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT seq, fact_id, kind, ref, member_id, at_ms FROM chain_outbox ORDER BY seq LIMIT ?", arguments: [limit])
            var facts: [ChainFact] = []
            var through: Int64 = 0
            for row in rows {
                through = row["seq"]
                let kind: String = row["kind"]
                let ref: String = row["ref"]
                let body = try Self.chainBody(kind: kind, ref: ref, memberID: row["member_id"], in: db)
                facts.append(ChainFact(id: row["fact_id"], kind: kind, memberID: row["member_id"], atMilliseconds: row["at_ms"], body: body))
            }
            return ChainOutboxBatch(facts: facts, through: through)
        }
    }

    /// A fact's body as the centre stores it (docs/chain-central-schema.md names the fields it reads).
    static func chainBody(kind: String, ref: String, memberID: String?, in db: Database) throws -> String {
        let sql: String
        var arguments: StatementArguments = [ref]
        switch kind {
        case "member":
            sql = """
                SELECT json_object('id', id, 'name', name, 'phone', phone, 'birthday', birthday, 'status', status,
                    'consent_at_ms', consent_at_ms, 'created_at_ms', created_at_ms, 'group', card_group, 'merged_into', merged_into)
                FROM members WHERE id = ?
                """
        case "carrier":
            // A carrier unlinked since is sent as such; otherwise its state now.
            let colon = ref.firstIndex(of: ":") ?? ref.endIndex
            let carrierKind = String(ref[..<colon])
            let value = colon < ref.endIndex ? String(ref[ref.index(after: colon)...]) : ""
            arguments = [carrierKind, value, carrierKind, value, memberID]
            sql = """
                SELECT COALESCE(
                    (SELECT json_object('kind', kind, 'value', value, 'member_id', member_id, 'status', status, 'created_at_ms', created_at_ms)
                     FROM carriers WHERE kind = ? AND value = ?),
                    json_object('kind', ?, 'value', ?, 'member_id', ?, 'status', 'unlinked'))
                """
        case "purchase":
            sql = """
                SELECT json_object('id', p.id, 'till_id', p.till_id, 'transaction_id', p.transaction_id, 'state', p.state,
                    'member_id', p.member_id, 'fingerprint', p.fingerprint, 'total', p.total, 'discount', p.discount,
                    'redeemed_value', p.redeemed_value, 'payable', p.payable, 'points_earned', p.points_earned,
                    'points_redeemed', p.points_redeemed, 'reward_points', p.reward_points, 'spend', p.spend,
                    'rules_version', p.rules_version, 'result', p.result, 'at_ms', p.at_ms,
                    'lines', (SELECT json_group_array(json_object('position', position, 'sku', sku, 'category', category,
                        'amount', amount, 'points_earned', points_earned, 'excluded_from_earning', excluded_from_earning))
                        FROM (SELECT * FROM purchase_lines WHERE purchase_id = p.id ORDER BY position)),
                    'rewards', (SELECT json_group_array(json_object('position', position, 'sku', sku, 'quantity', quantity, 'points', points))
                        FROM (SELECT * FROM purchase_rewards WHERE purchase_id = p.id ORDER BY position)))
                FROM purchases p WHERE p.id = ?
                """
        case "refund":
            sql = """
                SELECT json_object('id', id, 'till_id', till_id, 'refund_id', refund_id, 'purchase_id', purchase_id, 'amount', amount,
                    'points_reversed', points_reversed, 'points_restored', points_restored, 'points_forgiven', points_forgiven,
                    'spend', spend, 'result', result, 'at_ms', at_ms,
                    -- What the purchase's lines and rewards had been refunded when this refund was
                    -- made: boxes take the largest, so refunds made in two places add up.
                    'lines_refunded', (SELECT json_group_array(json_object('position', position, 'refunded', refunded))
                        FROM purchase_lines WHERE purchase_id = r.purchase_id),
                    'rewards_returned', (SELECT json_group_array(position) FROM purchase_rewards WHERE returned_refund_id = r.id))
                FROM refunds r WHERE id = ?
                """
        case "ledger":
            sql = """
                SELECT json_object('id', id, 'member_id', member_id, 'kind', kind, 'points', points, 'purchase_id', purchase_id,
                    'refund_id', refund_id, 'rules_version', rules_version, 'note', note, 'at_ms', at_ms,
                    'available_at_ms', available_at_ms, 'expires_at_ms', expires_at_ms, 'lot_id', lot_id)
                FROM ledger WHERE id = ?
                """
        case "coupon":
            sql = """
                SELECT json_object('id', id, 'member_id', member_id, 'rule_id', rule_id, 'percent_millionths', percent_millionths,
                    'min_total', min_total, 'issued_purchase_id', issued_purchase_id, 'issued_at_ms', issued_at_ms,
                    'expires_at_ms', expires_at_ms, 'state', state, 'used_purchase_id', used_purchase_id, 'changed_at_ms', changed_at_ms)
                FROM coupons WHERE id = ?
                """
        case "sale":
            sql = "SELECT json_object('id', id, 'till_id', till_id, 'transaction_id', transaction_id, 'total', total, 'at_ms', at_ms) FROM sales WHERE id = ?"
        case "promotion_code":
            sql = "SELECT json_object('code', code, 'rule_id', rule_id, 'created_at_ms', created_at_ms) FROM promo_codes WHERE code = ?"
        case "promotion_use":
            // The use as it stands now: a use already given back is sent as returned.
            sql = """
                SELECT json_object('purchase_id', purchase_id, 'rule_id', rule_id, 'member_id', member_id, 'code', code,
                    'state', state, 'at_ms', at_ms)
                FROM promotion_uses WHERE purchase_id = json_extract(?1, '$[0]') AND rule_id = json_extract(?1, '$[1]')
                """
        default:
            return "{}"
        }
        return try String.fetchOne(db, sql: sql, arguments: arguments) ?? "{}"
    }

    /// Removes what the centre committed (everything through `through`), keeping the facts it
    /// refused in the quarantine with its reason.
    public func acknowledgePush(through: Int64, quarantined: [(id: String, reason: String)], nowMilliseconds: Int64) async throws(StoreError) {
        try await write { db in
            for refused in quarantined {
                guard let row = try Row.fetchOne(db, sql: "SELECT kind, ref, member_id FROM chain_outbox WHERE fact_id = ?", arguments: [refused.id]) else { continue }
                let body = try Self.chainBody(kind: row["kind"], ref: row["ref"], memberID: row["member_id"], in: db)
                try db.execute(sql: """
                    INSERT INTO chain_quarantine (fact_id, direction, reason, body, at_ms) VALUES (?, 'push', ?, ?, ?)
                    ON CONFLICT (fact_id, direction) DO UPDATE SET reason = excluded.reason, at_ms = excluded.at_ms
                    """, arguments: [refused.id, refused.reason, body, nowMilliseconds])
            }
            try db.execute(sql: "DELETE FROM chain_outbox WHERE seq <= ?", arguments: [through])
            try Self.addChainCounter(db, "pushed", db.changesCount - quarantined.count)
            try Self.setChainState(db, "last_push_ms", String(nowMilliseconds))
        }
    }

    static func setChainState(_ db: Database, _ key: String, _ value: String?) throws {
        if let value {
            try db.execute(sql: "INSERT INTO chain_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", arguments: [key, value])
        } else {
            try db.execute(sql: "DELETE FROM chain_state WHERE key = ?", arguments: [key])
        }
    }

    static func addChainCounter(_ db: Database, _ key: String, _ amount: Int) throws {
        try db.execute(sql: """
            INSERT INTO chain_state (key, value) VALUES (?, ?)
            ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + ? AS TEXT)
            """, arguments: [key, String(amount), amount])
    }

    /// Records how the last exchange with the centre went (`nil`: it succeeded), for `chain status`.
    public func recordChainContact(error: String?, clockOffsetMilliseconds: Int64?, headSequence: Int64?, nowMilliseconds: Int64) async throws(StoreError) {
        try await write { db in
            try Self.setChainState(db, "last_error", error)
            if error == nil { try Self.setChainState(db, "last_contact_ms", String(nowMilliseconds)) } else {
                try Self.setChainState(db, "last_error_ms", String(nowMilliseconds))
            }
            if let clockOffsetMilliseconds { try Self.setChainState(db, "clock_offset_ms", String(clockOffsetMilliseconds)) }
            if let headSequence { try Self.setChainState(db, "head_seq", String(headSequence)) }
        }
    }
}
