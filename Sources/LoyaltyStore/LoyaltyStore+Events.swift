import GRDB
import LoyaltyDomain

/// One row of the event log: starts, stops, card reads (carrier masked), errors.
///
/// The event log never holds a member's name, phone or birthday, nor an unmasked carrier:
/// callers pass a ``Carrier`` and only its masked form is written.
public struct EventRecord: Sendable, Hashable {
    /// Increases with every event written; `loyaltyd log --follow` continues after the last one seen.
    public var sequence: Int64
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
        try await write { db in
            try self.appendEvent(db, kind: kind, reader: reader, carrier: carrier, memberID: memberID, detail: detail, nowMilliseconds: nowMilliseconds)
        }
    }

    /// Appends to the event log inside the caller's transaction, so a change and its record are
    /// written together (the technician's member and card commands).
    func appendEvent(
        _ db: Database, kind: String, reader: String? = nil, carrier: Carrier? = nil, memberID: MemberID? = nil, detail: String = "",
        nowMilliseconds: Int64
    ) throws {
        try db.cachedExecute(
            sql: "INSERT INTO events (id, at_ms, kind, reader, carrier, member_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [ids.next(milliseconds: nowMilliseconds), nowMilliseconds, kind, reader, carrier?.masked, memberID, detail])
    }

    /// Events newest last: the most recent `limit` of them, optionally only of one kind, only
    /// since a time, or only after a sequence number.
    public func events(
        kind: String? = nil, sinceMilliseconds: Int64? = nil, afterSequence: Int64? = nil, limit: Int = 100
    ) async throws(StoreError) -> [EventRecord] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM events
                    WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR at_ms >= ?2) AND (?3 IS NULL OR seq > ?3)
                    ORDER BY seq DESC LIMIT ?4
                    """,
                arguments: [kind, sinceMilliseconds, afterSequence, limit])
            return rows.reversed().map { row in
                EventRecord(
                    sequence: row["seq"], id: row["id"], atMilliseconds: row["at_ms"], kind: row["kind"], reader: row["reader"],
                    carrier: row["carrier"], memberID: row["member_id"], detail: row["detail"])
            }
        }
    }
}
