import GRDB
import LoyaltyDomain

/// The technician's carrier operations (`loyaltyd card …`): link a card to a member, unlink it,
/// block or unblock it. One transaction each, recorded in the event log with the card masked.
extension LoyaltyStore {
    /// Links `carrier` to a member. A carrier that belongs to another member (or a phone another
    /// member gave) is refused; a merged member cannot take new carriers.
    /// - Returns: the member, and `false` when the carrier was already linked to it.
    public func link(
        _ carrier: Carrier, to reference: MemberReference, nowMilliseconds: Int64
    ) async throws(MemberCareError) -> (member: MemberID, linked: Bool) {
        do { try carrier.checkLinkable() } catch { throw .store(.carrierRefused(error)) }
        return try await careWrite { db in
            let id = try Self.locate(reference, in: db)
            if let survivor = try db.cachedValue(String.self, sql: "SELECT merged_into FROM members WHERE id = ?", arguments: [id]) {
                throw MemberCareError.merged(id, into: survivor)
            }
            if let holder = try db.cachedValue(
                String.self, sql: "SELECT member_id FROM carriers WHERE kind = ? AND value = ?", arguments: [carrier.kind.rawValue, carrier.value])
            {
                guard holder == id else { throw MemberCareError.store(.carrierInUse(carrier)) }
                return (id, false)
            }
            if carrier.kind == .phone, let holder = try Self.owner(ofPhone: carrier.value, in: db), holder != id {
                throw MemberCareError.store(.carrierInUse(carrier))
            }
            try Self.insertCarrier(db, carrier, member: id, nowMilliseconds: nowMilliseconds)
            try self.appendEvent(db, kind: "card.link", carrier: carrier, memberID: id, nowMilliseconds: nowMilliseconds)
            return (id, true)
        }
    }

    /// Removes a carrier from its member; the member keeps its balance and other carriers.
    /// - Returns: the member the carrier belonged to.
    public func unlink(_ carrier: Carrier, nowMilliseconds: Int64) async throws(MemberCareError) -> MemberID {
        try await careWrite { db in
            let id = try Self.holder(of: carrier, in: db)
            try db.cachedExecute(sql: "DELETE FROM carriers WHERE kind = ? AND value = ?", arguments: [carrier.kind.rawValue, carrier.value])
            try self.appendEvent(db, kind: "card.unlink", carrier: carrier, memberID: id, nowMilliseconds: nowMilliseconds)
            return id
        }
    }

    /// Sets a carrier's status: `blocked` or `lost` (the till is refused with `card_blocked`), or `active`.
    /// - Returns: the member and the status the carrier had before.
    public func setStatus(
        of carrier: Carrier, to status: CarrierStatus, nowMilliseconds: Int64
    ) async throws(MemberCareError) -> (member: MemberID, previous: CarrierStatus) {
        try await careWrite { db in
            let id = try Self.holder(of: carrier, in: db)
            let previous = try db.cachedValue(
                String.self, sql: "SELECT status FROM carriers WHERE kind = ? AND value = ?", arguments: [carrier.kind.rawValue, carrier.value])
            guard previous != status.rawValue else { return (id, status) }
            try db.cachedExecute(
                sql: "UPDATE carriers SET status = ? WHERE kind = ? AND value = ?", arguments: [status.rawValue, carrier.kind.rawValue, carrier.value])
            try self.appendEvent(
                db, kind: status == .active ? "card.unblock" : "card.block", carrier: carrier, memberID: id, detail: status.rawValue,
                nowMilliseconds: nowMilliseconds)
            return (id, previous.flatMap(CarrierStatus.init(rawValue:)) ?? .active)
        }
    }

    /// The member a linked carrier belongs to (a phone only as a carrier, not as contact data).
    private static func holder(of carrier: Carrier, in db: Database) throws -> MemberID {
        guard let id = try db.cachedValue(
            String.self, sql: "SELECT member_id FROM carriers WHERE kind = ? AND value = ?", arguments: [carrier.kind.rawValue, carrier.value])
        else { throw MemberCareError.store(.unknownCard(carrier)) }
        return id
    }
}
