import GRDB

extension LoyaltyStore {
    /// Applies a pulled promotion fact; returns whether anything changed.
    ///
    /// A `promotion_code` adds a generated code this box did not have. A `promotion_use` adds a
    /// use made elsewhere, or gives it back (`state` `returned`): a use only ever moves from used
    /// to returned, so applying the facts of one use in any order, or twice, ends the same. A use
    /// of a code this box has used too (two boxes accepted it while apart) is added beside its own:
    /// both sales stand, and the code shows as used twice (`loyaltyd chain status`).
    func applyPromotion(_ kind: String, body: String, in db: Database) throws -> Bool {
        let b: StatementArguments = ["b": body]
        if kind == "promotion_code" {
            guard let code = try db.cachedValue(String.self, sql: "SELECT json_extract(:b, '$.code')", arguments: b), !code.isEmpty else {
                throw ChainApplyError.malformed("promotion code without code")
            }
            try db.cachedExecute(sql: """
                INSERT INTO promo_codes (code, rule_id, created_at_ms)
                SELECT json_extract(:b, '$.code'), json_extract(:b, '$.rule_id'), json_extract(:b, '$.created_at_ms') WHERE true
                ON CONFLICT (code) DO NOTHING
                """, arguments: b)
            guard db.changesCount > 0 else { return false }
            // Its uses may have come first.
            try Self.refreshCodeUse(code, in: db)
            return true
        }
        guard let row = try db.cachedRow(sql: """
            SELECT json_extract(:b, '$.purchase_id') AS purchase_id, json_extract(:b, '$.rule_id') AS rule_id,
                json_extract(:b, '$.member_id') AS member_id, json_extract(:b, '$.code') AS code,
                json_extract(:b, '$.state') AS state, json_extract(:b, '$.at_ms') AS at_ms
            """, arguments: b),
            let purchase: String = row["purchase_id"], let rule: String = row["rule_id"], let member: String = row["member_id"],
            let state: String = row["state"], ["used", "returned"].contains(state), let at: Int64 = row["at_ms"]
        else { throw ChainApplyError.malformed("promotion use without purchase, rule, member, state or time") }
        let code: String? = row["code"]
        try db.cachedExecute(sql: """
            INSERT INTO promotion_uses (purchase_id, rule_id, member_id, code, state, at_ms) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (purchase_id, rule_id) DO UPDATE SET state = 'returned'
            WHERE excluded.state = 'returned' AND promotion_uses.state = 'used'
            """, arguments: [purchase, rule, member, code, state, at])
        guard db.changesCount > 0 else { return false }
        if let code { try Self.refreshCodeUse(code, in: db) }
        return true
    }
}
