import GRDB
import LoyaltyDomain

extension LoyaltyStore {
    /// What the program needs to know of the promotions a receipt touches: the generated codes among
    /// those sent (used while ``refreshCodeUse(_:in:)`` has left a purchase on them), and the uses of
    /// rules with usage limits. Reads nothing when the receipt has no codes and the program no
    /// limited rule.
    static func promotionState(for request: PurchaseRequest, member: MemberID, program: LoyaltyProgram, in db: Database) throws -> PromotionState {
        var state = PromotionState()
        let codes = Array(Set(request.codes))
        if !codes.isEmpty {
            let marks = Array(repeating: "?", count: codes.count).joined(separator: ", ")
            for row in try Row.fetchAll(db, sql: """
                SELECT code, rule_id, used_purchase_id IS NOT NULL AS used FROM promo_codes WHERE code IN (\(marks))
                """, arguments: StatementArguments(codes))
            {
                state.generatedCodes[row["code"]] = PromotionState.GeneratedCode(ruleID: row["rule_id"], isUsed: row["used"])
            }
        }
        // One indexed read per count (promotion_use_counts, kept by triggers); the total sums the
        // rule's members, only where a total limit bounds them.
        for rule in program.rules {
            let conditions = rule.conditions
            guard conditions.maximumUses != nil || conditions.maximumUsesPerMember != nil else { continue }
            var uses = PromotionState.Uses()
            if conditions.maximumUses != nil {
                uses.total = try db.cachedValue(Int64.self, sql: """
                    SELECT COALESCE(SUM(uses), 0) FROM promotion_use_counts WHERE rule_id = ?
                    """, arguments: [rule.id]) ?? 0
            }
            if conditions.maximumUsesPerMember != nil {
                uses.byMember = try db.cachedValue(Int64.self, sql: """
                    SELECT uses FROM promotion_use_counts WHERE rule_id = ? AND member_id = ?
                    """, arguments: [rule.id, member]) ?? 0
            }
            state.uses[rule.id] = uses
        }
        return state
    }

    /// Records the uses a committed quote made: each rule with a limit or single-use codes that gave
    /// something, and the single-use code it took (used up from now on).
    func recordPromotionUses(_ uses: [PromotionUse], purchaseID: String, member: MemberID, nowMilliseconds: Int64, in db: Database) throws {
        for use in uses {
            try db.cachedExecute(sql: """
                INSERT INTO promotion_uses (purchase_id, rule_id, member_id, code, at_ms) VALUES (?, ?, ?, ?, ?)
                """, arguments: [purchaseID, use.ruleID, member, use.code, nowMilliseconds])
            if let code = use.code { try Self.refreshCodeUse(code, in: db) }
        }
    }

    /// Gives back the uses of a purchase refunded whole: its single-use codes may be used again and
    /// its uses no longer count toward the limits.
    func returnPromotionUses(of purchaseID: String, in db: Database) throws {
        try db.cachedExecute(sql: "UPDATE promotion_uses SET state = 'returned' WHERE purchase_id = ? AND state = 'used'", arguments: [purchaseID])
        for row in try db.cachedRows(sql: "SELECT code FROM promotion_uses WHERE purchase_id = ? AND code IS NOT NULL", arguments: [purchaseID]) {
            try Self.refreshCodeUse(row["code"], in: db)
        }
    }

    /// Sets a generated code's `used_purchase_id` from the uses that stand: the earliest purchase
    /// still using it, or none. The uses are the truth (a code two boxes accepted while apart has
    /// two; giving one back leaves it used). Every write that changes which purchases use a code (a
    /// commit, a whole refund, a fact from the chain) calls this, so the column agrees with the uses
    /// and a quote reads the column alone (``promotionState(for:member:program:in:)``); a member
    /// merge moves uses to another member without changing their purchases.
    static func refreshCodeUse(_ code: String, in db: Database) throws {
        try db.cachedExecute(sql: """
            UPDATE promo_codes SET (used_purchase_id, used_at_ms) = (
                SELECT purchase_id, at_ms FROM promotion_uses WHERE code = promo_codes.code AND state = 'used' ORDER BY at_ms, purchase_id LIMIT 1)
            WHERE code = ?
            """, arguments: [code])
    }

    /// The letters of generated codes: Crockford's base 32 (no I, L, O, U), easy to read and type.
    static let codeAlphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// Creates `count` new single-use codes for `ruleID` in one transaction: `prefix` followed by
    /// `length` random characters, each unlike every code already stored.
    public func generateCodes(ruleID: String, count: Int, prefix: String = "", length: Int = 10, nowMilliseconds: Int64) async throws(StoreError) -> [String] {
        precondition(count > 0 && length >= 6, "at least one code of at least 6 random characters")
        return try await write { db in
            var generator = SystemRandomNumberGenerator()
            var codes: [String] = []
            while codes.count < count {
                let code = prefix + String((0..<length).map { _ in Self.codeAlphabet[Int(generator.next(upperBound: UInt64(Self.codeAlphabet.count)))] })
                try db.cachedExecute(sql: "INSERT OR IGNORE INTO promo_codes (code, rule_id, created_at_ms) VALUES (?, ?, ?)",
                    arguments: [code, ruleID, nowMilliseconds])
                if db.changesCount == 1 { codes.append(code) }
            }
            return codes
        }
    }
}
