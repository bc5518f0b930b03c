import GRDB
import LoyaltyDomain

/// Who already holds a card or a phone, as an import sees it: the database itself while writing
/// (``LoyaltyStore/importMembers(_:after:stopAtConflict:nowMilliseconds:)``), or the database plus
/// the rows already checked during a dry run (``MemberImportCheck``).
protocol ImportDirectory {
    func owner(of carrier: Carrier) throws -> String?
    func owner(ofPhone phone: String) throws -> String?
}

/// What to do with one row; the same rules for the dry run and the import, so a checked file
/// imports as checked.
enum ImportDecision: Equatable {
    case create
    case link(owner: String)
    case existing(owner: String)
    case conflict(String)
}

extension LoyaltyStore {
    /// The database as the import's directory, inside the write transaction.
    struct LiveDirectory: ImportDirectory {
        let db: Database
        func owner(of carrier: Carrier) throws -> String? { try LoyaltyStore.owner(of: carrier, in: db) }
        func owner(ofPhone phone: String) throws -> String? { try LoyaltyStore.owner(ofPhone: phone, in: db) }
    }

    /// A row whose card or phone (or `member_id`, for consecutive rows) names an existing member is
    /// that member: its new card is linked, nothing else changes. When they name different members
    /// the row is a conflict. Otherwise it is a new member.
    static func decide(_ row: MemberImportRow, after group: MemberImportGroup, in directory: some ImportDirectory) throws -> ImportDecision {
        guard row.carrier != nil else { return .conflict("give a card or a phone") }
        if let refusal = row.card?.linkRefusal { return .conflict(refusal.description) }
        var claims: [(what: String, owner: String)] = []
        var cardKnown = false
        if let card = row.card, let owner = try directory.owner(of: card) {
            claims.append(("card \(card.masked)", owner))
            cardKnown = true
        }
        if let phone = row.phone, let owner = try directory.owner(ofPhone: phone) { claims.append(("phone", owner)) }
        if let key = row.groupKey, key == group.key, let owner = group.owner { claims.append(("member_id of the row before", owner)) }
        guard let first = claims.first else { return .create }
        if let other = claims.first(where: { $0.owner != first.owner }) {
            return .conflict("the \(first.what) belongs to \(describe(first.owner)) but the \(other.what) to \(describe(other.owner))")
        }
        if row.card != nil, !cardKnown { return .link(owner: first.owner) }
        return .existing(owner: first.owner)
    }

    /// Names an owner in a message: a member id, or a member an earlier line of the file creates.
    static func describe(_ owner: String) -> String {
        owner.hasPrefix(MemberImportCheck.newMemberPrefix) ? "the new member of \(owner)" : "member \(owner)"
    }

    /// Imports a batch of rows in one transaction (``write(_:)``'s path, safe while the daemon
    /// runs). New members get consent recorded now when their row has personal data.
    /// - Parameters:
    ///   - group: what the previous batch returned, so `member_id` groups span batches.
    ///   - stopAtConflict: throw on the first conflicting row, writing nothing of this batch;
    ///     otherwise report it as ``MemberImportOutcome/invalid(_:)`` and go on.
    public func importMembers(
        _ rows: [MemberImportRow], after group: MemberImportGroup, stopAtConflict: Bool, nowMilliseconds: Int64
    ) async throws(MemberCareError) -> (outcomes: [MemberImportOutcome], group: MemberImportGroup) {
        try await careWrite { db in
            let directory = LiveDirectory(db: db)
            var group = group
            var outcomes: [MemberImportOutcome] = []
            outcomes.reserveCapacity(rows.count)
            for row in rows {
                switch try Self.decide(row, after: group, in: directory) {
                case .conflict(let why):
                    if stopAtConflict { throw MemberCareError.invalid("line \(row.line): \(why)") }
                    outcomes.append(.invalid(why))
                    group = MemberImportGroup(key: row.groupKey, owner: nil)
                case .create:
                    let id = self.ids.next(milliseconds: nowMilliseconds)
                    try Self.insertMember(
                        db, id: id, name: row.name, phone: row.phone, birthday: row.birthday, group: row.group,
                        consentAtMilliseconds: row.hasPersonalData ? nowMilliseconds : nil, carrier: row.carrier!, nowMilliseconds: nowMilliseconds)
                    outcomes.append(.created)
                    group = MemberImportGroup(key: row.groupKey, owner: id)
                case .link(let owner):
                    try Self.insertCarrier(db, row.card!, member: owner, nowMilliseconds: nowMilliseconds)
                    outcomes.append(.linked)
                    group = MemberImportGroup(key: row.groupKey, owner: owner)
                case .existing(let owner):
                    outcomes.append(.unchanged)
                    group = MemberImportGroup(key: row.groupKey, owner: owner)
                }
            }
            return (outcomes, group)
        }
    }
}
