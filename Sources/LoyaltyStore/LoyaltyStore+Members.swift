import GRDB
import LoyaltyDomain

extension LoyaltyStore {
    /// Enrols a new member with a first carrier; refuses a carrier that is already linked.
    /// - Parameter bonus: welcome points credited as a lot (`rulesVersion` and `expiry` say how).
    public func enroll(
        _ enrolment: Enrolment, bonus: Points = .zero, rulesVersion: String? = nil,
        expiry: PointsExpiryPolicy = PointsExpiryPolicy(), nowMilliseconds: Int64
    ) async throws(StoreError) -> MemberSummary {
        do { try enrolment.carrier.checkLinkable() } catch { throw .carrierRefused(error) }
        let memberID = ids.next(milliseconds: nowMilliseconds)
        return try await write { db in
            let carrier = enrolment.carrier
            if try db.cachedRow(sql: "SELECT 1 FROM carriers WHERE kind = ? AND value = ?", arguments: [carrier.kind.rawValue, carrier.value]) != nil {
                throw StoreError.carrierInUse(carrier)
            }
            // A phone number identifies one member, whether it was given as the carrier or as contact data.
            if let phone = enrolment.phone, let phoneCarrier = try? Carrier(kind: .phone, value: phone),
               try db.cachedRow(sql: "SELECT 1 FROM carriers WHERE kind = 'phone' AND value = ? UNION ALL SELECT 1 FROM members WHERE phone = ?",
                   arguments: [phoneCarrier.value, phoneCarrier.value]) != nil
            {
                throw StoreError.carrierInUse(phoneCarrier)
            }
            try db.cachedExecute(
                sql: """
                    INSERT INTO members (id, name, phone, birthday, status, consent_at_ms, created_at_ms, card_group)
                    VALUES (?, ?, ?, ?, 'active', ?, ?, ?)
                    """,
                arguments: [
                    memberID, enrolment.name, enrolment.phone, enrolment.birthday, enrolment.consentAtMilliseconds, nowMilliseconds,
                    enrolment.group,
                ])
            try db.cachedExecute(
                sql: "INSERT INTO carriers (kind, value, member_id, status, created_at_ms) VALUES (?, ?, ?, 'active', ?)",
                arguments: [carrier.kind.rawValue, carrier.value, memberID, nowMilliseconds])
            try self.appendLedger(
                db, member: memberID, kind: .earn, points: bonus, rulesVersion: rulesVersion, note: "welcome bonus",
                lot: LotTimes(
                    availableAt: expiry.availability(ofPointsEarnedAt: nowMilliseconds),
                    expiresAt: expiry.expiry(ofPointsEarnedAt: nowMilliseconds)),
                nowMilliseconds: nowMilliseconds)
            return MemberSummary(id: memberID, name: enrolment.name, status: .active, balance: bonus)
        }
    }

    /// The id of the member a reference names; blocked, lost or unknown carriers are errors.
    static func resolveID(_ reference: MemberReference, in db: Database) throws -> MemberID {
        let memberID: String
        switch reference {
        case .id(let id):
            memberID = id
        case .carrier(let carrier):
            guard let row = try db.cachedRow(sql: "SELECT member_id, status FROM carriers WHERE kind = ? AND value = ?", arguments: [carrier.kind.rawValue, carrier.value]) else {
                throw StoreError.unknownCard(carrier)
            }
            let status = CarrierStatus(rawValue: row["status"]) ?? .blocked
            guard status == .active else { throw StoreError.cardBlocked(status) }
            memberID = row["member_id"]
        case .phone(let phone):
            let carrier = try? Carrier(kind: .phone, value: phone)
            if let carrier, let row = try db.cachedRow(sql: "SELECT member_id, status FROM carriers WHERE kind = 'phone' AND value = ?", arguments: [carrier.value]) {
                let status = CarrierStatus(rawValue: row["status"]) ?? .blocked
                guard status == .active else { throw StoreError.cardBlocked(status) }
                memberID = row["member_id"]
            } else if let id = try db.cachedValue(String.self, sql: "SELECT id FROM members WHERE phone = ? ORDER BY created_at_ms LIMIT 1", arguments: [phone]) {
                memberID = id
            } else {
                throw StoreError.unknownMember
            }
        }
        return memberID
    }
}
