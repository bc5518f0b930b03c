import GRDB
import LoyaltyDomain

/// One line of `loyaltyd member export`: a member with one of its usable carriers.
public struct MemberExportRow: Sendable, Hashable {
    public var memberID: MemberID
    public var name: String?
    public var phone: String?
    public var birthday: String?
    public var group: String?
    /// `nil` for a member with no usable carrier who can still be found by phone.
    public var card: Carrier?
}

/// What `member export` wrote and what it left out on purpose.
public struct MemberExportSummary: Sendable, Hashable {
    public var rows = 0
    public var members = 0
    /// Blocked members (not merged): an import would make them active again.
    public var blockedMembers = 0
    public var mergedMembers = 0
    /// Blocked or lost cards of exported members: an import would make them usable again.
    public var unusableCards = 0
    /// Active members with neither a usable card nor a phone: nothing could identify them.
    public var unidentifiableMembers = 0
}

extension LoyaltyStore {
    /// Streams every active member with its active carriers, one row per carrier (a member with no
    /// usable carrier but a phone: one row without a card), oldest member first, from one read
    /// snapshot. Memory stays flat whatever the number of members.
    public func exportMembers(_ body: (MemberExportRow) throws -> Void) throws -> MemberExportSummary {
        try pool.read { db in
            var summary = MemberExportSummary()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT m.id, m.name, m.phone, m.birthday, m.card_group, c.kind, c.value
                FROM members m LEFT JOIN carriers c ON c.member_id = m.id AND c.status = 'active'
                WHERE m.status = 'active' AND m.merged_into IS NULL
                ORDER BY m.id
                """)
            var previous: String?
            while let row = try rows.next() {
                let id: String = row["id"]
                var card: Carrier?
                if let kind: String = row["kind"], let value: String = row["value"] {
                    card = try Carrier(kind: CarrierKind(rawValue: kind) ?? .barcode, value: value)
                }
                let phone: String? = row["phone"]
                guard card != nil || phone != nil else {
                    summary.unidentifiableMembers += 1
                    continue
                }
                if id != previous { summary.members += 1 }
                previous = id
                summary.rows += 1
                try body(MemberExportRow(
                    memberID: id, name: row["name"], phone: phone, birthday: row["birthday"], group: row["card_group"], card: card))
            }
            summary.blockedMembers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM members WHERE status = 'blocked' AND merged_into IS NULL") ?? 0
            summary.mergedMembers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM members WHERE merged_into IS NOT NULL") ?? 0
            summary.unusableCards = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM carriers c JOIN members m ON m.id = c.member_id
                WHERE c.status != 'active' AND m.status = 'active' AND m.merged_into IS NULL
                """) ?? 0
            return summary
        }
    }
}
