import GRDB
import LoyaltyDomain

/// One row of the event log: starts, stops, card reads (carrier masked), errors.
///
/// The event log never holds a member's name, phone or birthday, nor an unmasked carrier:
/// callers pass a ``Carrier`` and only its masked form is written.
public struct EventRecord: Sendable, Hashable {
    public var id: String
    public var atMilliseconds: Int64
    public var kind: String
    public var reader: String?
    public var carrier: String?
    public var memberID: MemberID?
    public var detail: String
}

extension LoyaltyStore {
    /// Appends to the event log.
    public func logEvent(
        kind: String, reader: String? = nil, carrier: Carrier? = nil, memberID: MemberID? = nil, detail: String = "",
        nowMilliseconds: Int64
    ) async throws(StoreError) {
        let id = ids.next(milliseconds: nowMilliseconds)
        try await write { db in
            try db.cachedExecute(
                sql: "INSERT INTO events (id, at_ms, kind, reader, carrier, member_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [id, nowMilliseconds, kind, reader, carrier?.masked, memberID, detail])
        }
    }

    /// The most recent events, newest last, optionally of one kind.
    public func events(kind: String? = nil, limit: Int = 100) async throws(StoreError) -> [EventRecord] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM events WHERE (?1 IS NULL OR kind = ?1) ORDER BY seq DESC LIMIT ?2",
                arguments: [kind, limit])
            return rows.reversed().map { row in
                EventRecord(
                    id: row["id"], atMilliseconds: row["at_ms"], kind: row["kind"], reader: row["reader"],
                    carrier: row["carrier"], memberID: row["member_id"], detail: row["detail"])
            }
        }
    }
}
