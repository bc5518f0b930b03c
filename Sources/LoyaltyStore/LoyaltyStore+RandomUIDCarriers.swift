import GRDB
import LoyaltyDomain

extension LoyaltyStore {
    /// The members, by id, holding an active carrier that is a random UID (``Carrier/isRandomUID``):
    /// a phone's or bank card's UID enrolled before such UIDs were refused. It changes on every
    /// tap, so the member can never be found by it again; `loyaltyd doctor` lists them (ids only).
    public func membersWithRandomUIDCarriers() async throws(StoreError) -> [MemberID] {
        try await read { db in
            // The SQL only narrows the scan; the rule itself is the domain's.
            let rows = try Row.fetchAll(db, sql: """
                SELECT value, member_id FROM carriers WHERE kind = 'uid' AND status = 'active' AND value LIKE '08%' ORDER BY member_id
                """)
            var members: [MemberID] = []
            for row in rows {
                let value: String = row["value"]
                let member: MemberID = row["member_id"]
                guard (try? Carrier(kind: .uid, value: value))?.isRandomUID == true, members.last != member else { continue }
                members.append(member)
            }
            return members
        }
    }
}
