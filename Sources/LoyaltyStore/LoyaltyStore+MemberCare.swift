import GRDB
import LoyaltyDomain

/// The technician's member operations (`loyaltyd member …`), straight on the database. Each is one
/// transaction through the store's write path, so they are safe while the daemon runs, and each
/// change is written to the event log with the member's id only (never personal data).
extension LoyaltyStore {
    /// The member a carrier names, whatever the carrier's or the member's status. A phone names the
    /// member identified by it (a phone carrier) or, failing that, the member who gave it as contact data.
    static func owner(of carrier: Carrier, in db: Database) throws -> MemberID? {
        if carrier.kind == .phone { return try owner(ofPhone: carrier.value, in: db) }
        return try db.cachedValue(
            String.self, sql: "SELECT member_id FROM carriers WHERE kind = ? AND value = ?", arguments: [carrier.kind.rawValue, carrier.value])
    }

    /// The member a normalised phone belongs to: as a carrier first, then as contact data.
    static func owner(ofPhone phone: String, in db: Database) throws -> MemberID? {
        try db.cachedValue(
            String.self,
            sql: """
                SELECT member_id FROM carriers WHERE kind = 'phone' AND value = ?1
                UNION ALL
                SELECT * FROM (SELECT COALESCE(merged_into, id) FROM members WHERE phone = ?1 ORDER BY created_at_ms LIMIT 1)
                LIMIT 1
                """,
            arguments: [phone])
    }

    /// The member a reference names, blocked or merged members and blocked cards included (a
    /// technician must be able to see and fix them).
    static func locate(_ reference: MemberReference, in db: Database) throws -> MemberID {
        switch reference {
        case .id(let id):
            guard try db.cachedRow(sql: "SELECT 1 FROM members WHERE id = ?", arguments: [id]) != nil else { throw MemberCareError.store(.unknownMember) }
            return id
        case .carrier(let carrier):
            guard let member = try owner(of: carrier, in: db) else { throw MemberCareError.store(.unknownCard(carrier)) }
            return member
        case .phone(let phone):
            guard let member = try owner(ofPhone: phone, in: db) else { throw MemberCareError.store(.unknownMember) }
            return member
        }
    }

    /// One member with cards, purchases count and the newest `ledgerLimit` ledger entries.
    public func memberDetail(_ reference: MemberReference, ledgerLimit: Int = 10) async throws(MemberCareError) -> MemberDetail {
        try await careRead { db in try Self.detail(of: try Self.locate(reference, in: db), ledgerLimit: ledgerLimit, in: db) }
    }

    /// Members matching every criterion of `query`, oldest first, at most `limit` of them (without ledger entries).
    public func findMembers(_ query: MemberQuery, limit: Int) async throws(MemberCareError) -> [MemberDetail] {
        try await careRead { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let name = query.nameContains {
                db.add(function: Self.foldedContains)
                conditions.append("\(Self.foldedContains.name)(name, ?)")
                arguments += [name]
            }
            if let digits = query.phoneDigitsContain {
                conditions.append("(instr(phone, ?) > 0 OR id IN (SELECT member_id FROM carriers WHERE kind = 'phone' AND instr(value, ?) > 0))")
                arguments += [digits, digits]
            }
            if !query.carrierContains.isEmpty {
                let kinds = query.carrierContains.sorted { $0.key.rawValue < $1.key.rawValue }
                conditions.append(
                    "id IN (SELECT member_id FROM carriers WHERE \(kinds.map { _ in "(kind = ? AND instr(value, ?) > 0)" }.joined(separator: " OR ")))")
                for (kind, part) in kinds { arguments += [kind.rawValue, part] }
            }
            if let phone = query.phone ?? (query.carrier?.kind == .phone ? query.carrier?.value : nil) {
                conditions.append("(phone = ? OR id IN (SELECT member_id FROM carriers WHERE kind = 'phone' AND value = ?))")
                arguments += [phone, phone]
            }
            if let carrier = query.carrier, carrier.kind != .phone {
                conditions.append("id IN (SELECT member_id FROM carriers WHERE kind = ? AND value = ?)")
                arguments += [carrier.kind.rawValue, carrier.value]
            }
            if let birthday = query.birthday {
                conditions.append("birthday = ?")
                arguments += [birthday]
            }
            if let group = query.group {
                conditions.append("card_group = ?")
                arguments += [group]
            }
            guard !conditions.isEmpty else { throw MemberCareError.invalid("give at least one thing to look for") }
            arguments += [limit]
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM members WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at_ms, id LIMIT ?",
                arguments: arguments)
            return try ids.map { try Self.detail(of: $0, ledgerLimit: 0, in: db) }
        }
    }

    static func detail(of id: MemberID, ledgerLimit: Int, in db: Database) throws -> MemberDetail {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT m.*, COALESCE(b.points, 0) AS balance FROM members m LEFT JOIN balances b ON b.member_id = m.id WHERE m.id = ?",
            arguments: [id])
        else { throw MemberCareError.store(.unknownMember) }
        let cards = try Row.fetchAll(
            db, sql: "SELECT kind, value, status, created_at_ms FROM carriers WHERE member_id = ? ORDER BY created_at_ms, kind, value",
            arguments: [id]
        ).map { card in
            MemberDetail.Card(
                carrier: try Carrier(kind: CarrierKind(rawValue: card["kind"]) ?? .barcode, value: card["value"]),
                status: CarrierStatus(rawValue: card["status"]) ?? .blocked, linkedAtMilliseconds: card["created_at_ms"])
        }
        let purchases = try Row.fetchOne(
            db, sql: "SELECT COUNT(*) AS count, MAX(at_ms) AS last FROM purchases WHERE member_id = ? AND state = 'committed'", arguments: [id])
        let ledger = ledgerLimit <= 0 ? [] : try Row.fetchAll(
            db,
            sql: """
                SELECT l.*, p.till_id, p.transaction_id FROM ledger l LEFT JOIN purchases p ON p.id = l.purchase_id
                WHERE l.member_id = ? ORDER BY l.at_ms DESC, l.id DESC LIMIT ?
                """,
            arguments: [id, ledgerLimit]
        ).map { entry in
            LedgerEntry(
                id: entry["id"], kind: LedgerKind(rawValue: entry["kind"]) ?? .adjust, points: Points(entry["points"]),
                purchaseID: entry["purchase_id"], rulesVersion: entry["rules_version"], atMilliseconds: entry["at_ms"],
                note: entry["note"], tillID: entry["till_id"], transactionID: entry["transaction_id"])
        }
        return MemberDetail(
            id: row["id"], name: row["name"], phone: row["phone"], birthday: row["birthday"], group: row["card_group"],
            status: MemberStatus(rawValue: row["status"]) ?? .blocked, mergedInto: row["merged_into"],
            consentAtMilliseconds: row["consent_at_ms"], createdAtMilliseconds: row["created_at_ms"], balance: Points(row["balance"]),
            cards: cards, purchases: purchases?["count"] ?? 0, lastPurchaseAtMilliseconds: purchases?["last"], recentLedger: ledger)
    }

    /// Enrols a member as `member.enroll` does, with a group; refuses a carrier or phone that
    /// already belongs to a member.
    public func addMember(_ enrolment: Enrolment, group: String?, nowMilliseconds: Int64) async throws(MemberCareError) -> MemberID {
        do { try enrolment.carrier.checkLinkable() } catch { throw .store(.carrierRefused(error)) }
        let id = ids.next(milliseconds: nowMilliseconds)
        return try await careWrite { db in
            if try Self.owner(of: enrolment.carrier, in: db) != nil { throw MemberCareError.store(.carrierInUse(enrolment.carrier)) }
            if let phone = enrolment.phone, try Self.owner(ofPhone: phone, in: db) != nil {
                throw MemberCareError.store(.carrierInUse(try Carrier(kind: .phone, value: phone)))
            }
            try Self.insertMember(
                db, id: id, name: enrolment.name, phone: enrolment.phone, birthday: enrolment.birthday, group: group,
                consentAtMilliseconds: enrolment.consentAtMilliseconds, carrier: enrolment.carrier, nowMilliseconds: nowMilliseconds)
            try self.appendEvent(db, kind: "member.add", carrier: enrolment.carrier, memberID: id, nowMilliseconds: nowMilliseconds)
            return id
        }
    }

    /// Writes a new active member and its first carrier (the caller has checked that neither the
    /// carrier nor the phone is taken).
    static func insertMember(
        _ db: Database, id: MemberID, name: String?, phone: String?, birthday: String?, group: String?, consentAtMilliseconds: Int64?,
        carrier: Carrier, nowMilliseconds: Int64
    ) throws {
        try db.cachedExecute(
            sql: """
                INSERT INTO members (id, name, phone, birthday, card_group, status, consent_at_ms, created_at_ms)
                VALUES (?, ?, ?, ?, ?, 'active', ?, ?)
                """,
            arguments: [id, name, phone, birthday, group, consentAtMilliseconds, nowMilliseconds])
        try insertCarrier(db, carrier, member: id, nowMilliseconds: nowMilliseconds)
    }

    static func insertCarrier(_ db: Database, _ carrier: Carrier, member: MemberID, nowMilliseconds: Int64) throws {
        try db.cachedExecute(
            sql: "INSERT INTO carriers (kind, value, member_id, status, created_at_ms) VALUES (?, ?, ?, 'active', ?)",
            arguments: [carrier.kind.rawValue, carrier.value, member, nowMilliseconds])
    }

    /// Blocks or unblocks a member. A merged member stays blocked.
    /// - Returns: the member, and whether its status changed (`false` when it already had it).
    public func setStatus(
        of reference: MemberReference, to status: MemberStatus, nowMilliseconds: Int64
    ) async throws(MemberCareError) -> (member: MemberID, changed: Bool) {
        try await careWrite { db in
            let id = try Self.locate(reference, in: db)
            let row = try db.cachedRow(sql: "SELECT status, merged_into FROM members WHERE id = ?", arguments: [id])
            if let survivor: String = row?["merged_into"], status == .active { throw MemberCareError.merged(id, into: survivor) }
            guard row?["status"] != status.rawValue else { return (id, false) }
            try db.cachedExecute(sql: "UPDATE members SET status = ? WHERE id = ?", arguments: [status.rawValue, id])
            try self.appendEvent(db, kind: status == .blocked ? "member.block" : "member.unblock", memberID: id, nowMilliseconds: nowMilliseconds)
            return (id, true)
        }
    }

    /// Merges one member into another, in one transaction: the merged member's carriers and
    /// purchases (with their spend and visits, which tiers count, and the coupons they issued) move
    /// to the survivor, its balance moves through two `adjust` ledger entries (the ledger stays the
    /// only source of balances), personal data the survivor lacks is copied to it, and the merged
    /// member is kept, blocked, marked merged and without personal data.
    /// - Parameter rulesVersion: the version of the program in force, recorded on the ledger entries.
    public func merge(
        _ mergedID: MemberID, into survivorID: MemberID, rulesVersion: String, nowMilliseconds: Int64
    ) async throws(MemberCareError) -> MergeOutcome {
        try await careWrite { db in
            try self.mergeRows(db, mergedID, into: survivorID, rulesVersion: rulesVersion, nowMilliseconds: nowMilliseconds)
        }
    }
}

extension LoyaltyStore {
    /// The merge of ``merge(_:into:rulesVersion:nowMilliseconds:)`` inside the caller's
    /// transaction. The chain uses it too, when two stores enrolled the same card while apart:
    /// every box then makes the same merge, with `adjustIDs` derived from the two members so that
    /// its ledger entries are the same everywhere.
    @discardableResult
    func mergeRows(
        _ db: Database, _ mergedID: MemberID, into survivorID: MemberID, rulesVersion: String, nowMilliseconds: Int64,
        adjustIDs: (out: String, in: String)? = nil
    ) throws -> MergeOutcome {
        guard mergedID != survivorID else { throw MemberCareError.sameMember }
        let select = "SELECT name, phone, birthday, card_group, consent_at_ms, merged_into FROM members WHERE id = ?"
        guard let merged = try db.cachedRow(sql: select, arguments: [mergedID]),
              let survivor = try db.cachedRow(sql: select, arguments: [survivorID])
        else { throw MemberCareError.store(.unknownMember) }
        if let into: String = merged["merged_into"] { throw MemberCareError.merged(mergedID, into: into) }
        if let into: String = survivor["merged_into"] { throw MemberCareError.merged(survivorID, into: into) }

        let (cards, purchases, points) = try moveHoldings(
            db, from: mergedID, to: survivorID, rulesVersion: rulesVersion, nowMilliseconds: nowMilliseconds, adjustIDs: adjustIDs)
        let hadConsent = (merged["consent_at_ms"] as Int64?) != nil
        try db.execute(
            sql: """
                UPDATE members SET name = COALESCE(name, ?), phone = COALESCE(phone, ?), birthday = COALESCE(birthday, ?),
                    card_group = COALESCE(card_group, ?), consent_at_ms = COALESCE(consent_at_ms, ?)
                WHERE id = ?
                """,
            arguments: [
                hadConsent ? merged["name"] as String? : nil, hadConsent ? merged["phone"] as String? : nil,
                hadConsent ? merged["birthday"] as String? : nil, merged["card_group"] as String?,
                merged["consent_at_ms"] as Int64?, survivorID,
            ])
        try db.execute(
            sql: "UPDATE members SET status = 'blocked', merged_into = ?, name = NULL, phone = NULL, birthday = NULL WHERE id = ?",
            arguments: [survivorID, mergedID])
        // Members merged into the merged one earlier now point at the survivor too.
        try db.execute(sql: "UPDATE members SET merged_into = ? WHERE merged_into = ?", arguments: [survivorID, mergedID])
        try self.appendEvent(
            db, kind: "member.merge", memberID: survivorID,
            detail: "merged \(mergedID): \(points) points, \(cards) card(s), \(purchases) purchase(s)", nowMilliseconds: nowMilliseconds)
        let balance = try db.cachedValue(Int64.self, sql: "SELECT points FROM balances WHERE member_id = ?", arguments: [survivorID]) ?? 0
        return MergeOutcome(
            merged: mergedID, survivor: survivorID, pointsMoved: points, cardsMoved: cards, purchasesMoved: purchases,
            survivorBalance: Points(balance))
    }

    /// Moves what a member holds to another: cards, purchases with the spend and visits tiers
    /// count, coupons, promotion uses, and the balance (after writing off what has expired) through a pair of
    /// `adjust` entries that count as credited for the survivor's expiry. Returns what moved.
    @discardableResult
    func moveHoldings(
        _ db: Database, from mergedID: MemberID, to survivorID: MemberID, rulesVersion: String, nowMilliseconds: Int64,
        adjustIDs: (out: String, in: String)?
    ) throws -> (cards: Int, purchases: Int, points: Points) {
        try db.execute(sql: "UPDATE carriers SET member_id = ? WHERE member_id = ?", arguments: [survivorID, mergedID])
        let cards = db.changesCount
        try db.execute(sql: "UPDATE purchases SET member_id = ? WHERE member_id = ?", arguments: [survivorID, mergedID])
        let purchases = db.changesCount
        // What the rules engine counts of those purchases (spend and visits, per day for tier
        // windows) and the coupons they issued follow them. The ledger stays where it is.
        try db.execute(sql: "UPDATE coupons SET member_id = ? WHERE member_id = ?", arguments: [survivorID, mergedID])
        // The promotions the merged member used count for the survivor's per-member limits.
        try db.execute(sql: "UPDATE promotion_uses SET member_id = ? WHERE member_id = ?", arguments: [survivorID, mergedID])
        try db.execute(
            sql: """
                INSERT INTO activity (member_id, day, spend, visits)
                    SELECT :survivor, day, spend, visits FROM activity WHERE member_id = :merged
                    ON CONFLICT (member_id, day) DO UPDATE SET spend = spend + excluded.spend, visits = visits + excluded.visits;
                DELETE FROM activity WHERE member_id = :merged;
                INSERT INTO member_totals (member_id, spend, visits)
                    SELECT :survivor, spend, visits FROM member_totals WHERE member_id = :merged
                    ON CONFLICT (member_id) DO UPDATE SET spend = spend + excluded.spend, visits = visits + excluded.visits;
                UPDATE member_totals SET spend = 0, visits = 0 WHERE member_id = :merged;
                """,
            arguments: ["survivor": survivorID, "merged": mergedID])
        // Points already past their expiry are written off first, as a purchase or refund would:
        // only what the merged member still has moves.
        let state = try Self.memberState(mergedID, windowDays: nil, nowMilliseconds: nowMilliseconds, in: db)
        try expireLots(
            db, member: mergedID, lots: PointsExpiryPolicy.expiring(state), rulesVersion: rulesVersion, nowMilliseconds: nowMilliseconds)
        let points = Points(try db.cachedValue(Int64.self, sql: "SELECT points FROM balances WHERE member_id = ?", arguments: [mergedID]) ?? 0)
        try appendLedger(
            db, id: adjustIDs?.out, member: mergedID, kind: .adjust, points: -points, rulesVersion: rulesVersion,
            note: "merged into \(survivorID)", nowMilliseconds: nowMilliseconds)
        try appendLedger(
            db, id: adjustIDs?.in, member: survivorID, kind: .adjust, points: points, rulesVersion: rulesVersion,
            note: "merged from \(mergedID)", nowMilliseconds: nowMilliseconds)
        // Expiry takes points from the oldest lots first, counting what was credited: the moved
        // points count as credited at the merge (a lot that never expires), so they are neither
        // taken by the survivor's older lots when those expire nor expire themselves.
        try db.execute(
            sql: """
                INSERT INTO member_totals (member_id, credited) VALUES (?, ?)
                ON CONFLICT (member_id) DO UPDATE SET credited = credited + excluded.credited
                """,
            arguments: [survivorID, points.value])
        return (cards, purchases, points)
    }
}
