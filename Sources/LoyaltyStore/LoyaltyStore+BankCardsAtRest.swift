import GRDB
import LoyaltyDomain

/// A bank card number found stored as a carrier (written by a version before the domain refused
/// them, or by hand). Only what may be shown is kept: the kind, the last four digits and the member.
public struct BankCardAtRest: Sendable, Hashable {
    public var kind: CarrierKind
    public var lastFour: String
    public var memberID: MemberID

    /// `track:****1111`, never the number.
    public var masked: String { "\(kind.rawValue):****\(lastFour)" }
}

extension LoyaltyStore {
    /// What a masked marker replacing a bank card's value starts with; the rest is `****` and the
    /// last four digits (and `-2`, `-3`… when a member had two such cards ending alike).
    public static let bankCardMarkerPrefix = "bank-card-removed-"

    /// Every carrier whose value is a bank card's stripe data, by the same recognition the domain's
    /// ``Carrier`` constructor refuses them with.
    static func bankCardsAtRest(_ db: Database) throws -> [(value: String, card: BankCardAtRest)] {
        // Only values that can be track data (a sentinel, `^` or `=`) need the full check.
        let rows = try Row.fetchAll(db, sql: """
            SELECT kind, value, member_id FROM carriers
            WHERE kind IN ('track', 'barcode')
              AND (value GLOB '[%;]*' OR instr(value, '^') > 0 OR instr(value, '=') > 0)
            """)
        return rows.compactMap { row in
            let value: String = row["value"]
            guard let kind = CarrierKind(rawValue: row["kind"]),
                  let lastFour = MagneticTrack.paymentCardLastFour(inTypedText: value)
            else { return nil }
            return (value, BankCardAtRest(kind: kind, lastFour: lastFour, memberID: row["member_id"]))
        }
    }

    /// Blocks every bank card found at rest and overwrites its value with a masked marker, in the
    /// caller's transaction; records how many in the event log (`bank_cards_masked`). Returns them.
    @discardableResult
    static func maskBankCardsAtRest(_ db: Database, nowMilliseconds: Int64, eventID: String) throws -> [BankCardAtRest] {
        let found = try bankCardsAtRest(db)
        for (value, card) in found {
            var marker = "\(bankCardMarkerPrefix)****\(card.lastFour)"
            var suffix = 1
            while try Bool.fetchOne(db, sql: "SELECT 1 FROM carriers WHERE kind = ? AND value = ?", arguments: [card.kind.rawValue, marker]) == true {
                suffix += 1
                marker = "\(bankCardMarkerPrefix)****\(card.lastFour)-\(suffix)"
            }
            try db.execute(
                sql: "UPDATE carriers SET value = ?, status = 'blocked' WHERE kind = ? AND value = ?",
                arguments: [marker, card.kind.rawValue, value])
        }
        if !found.isEmpty {
            try db.execute(
                sql: "INSERT INTO events (id, at_ms, kind, detail) VALUES (?, ?, 'bank_cards_masked', ?)",
                arguments: [eventID, nowMilliseconds, "count=\(found.count) (bank card numbers found stored as carriers: blocked, value replaced by a masked marker)"])
        }
        return found.map(\.card)
    }

    /// Masks bank cards stored since the migration that first did it (`db migrate` runs this each
    /// time). Returns what it changed.
    public func maskBankCardsAtRest(nowMilliseconds: Int64) async throws(StoreError) -> [BankCardAtRest] {
        let eventID = ids.next(milliseconds: nowMilliseconds)
        return try await write { db in try Self.maskBankCardsAtRest(db, nowMilliseconds: nowMilliseconds, eventID: eventID) }
    }

    /// How many bank cards the migration that first looked for them masked, or `nil` when it found none.
    public func bankCardsMaskedByMigration() throws -> Int? {
        let detail = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT detail FROM events WHERE id = ?", arguments: ["migration-\(StoreSchema.bankCardMigration)"])
        }
        return detail.flatMap { Int($0.dropFirst("count=".count).prefix { $0.isNumber }) }
    }
}
