import GRDB
import LoyaltyDomain

extension LoyaltyStore {
    /// The member a reference names, in the state the program needs, from indexed aggregates only.
    /// - Parameter windowDays: the tier window (`nil`: all time).
    public func memberState(_ reference: MemberReference, windowDays: Int?, nowMilliseconds: Int64) async throws(StoreError) -> MemberState {
        try await read { db in
            try Self.memberState(Self.resolveID(reference, in: db), windowDays: windowDays, nowMilliseconds: nowMilliseconds, in: db)
        }
    }

    /// The member as the till sees them under `program`: balance after expiry, spendable, tier, coupons.
    public func memberView(_ reference: MemberReference, program: LoyaltyProgram, nowMilliseconds: Int64) async throws(StoreError) -> MemberView {
        program.view(of: try await memberState(reference, windowDays: program.tierWindowDays, nowMilliseconds: nowMilliseconds), nowMilliseconds: nowMilliseconds)
    }

    static func memberState(_ memberID: MemberID, windowDays: Int?, nowMilliseconds: Int64, in db: Database) throws -> MemberState {
        guard let row = try db.cachedRow(sql: """
                SELECT m.id, m.name, m.status, m.card_group, m.birthday, COALESCE(b.points, 0) AS balance,
                    COALESCE(t.spend, 0) AS spend, COALESCE(t.visits, 0) AS visits, COALESCE(t.credited, 0) AS credited,
                    COALESCE(t.expired_through_ms, 0) AS expired_through
                FROM members m LEFT JOIN balances b ON b.member_id = m.id LEFT JOIN member_totals t ON t.member_id = m.id
                WHERE m.id = ?
                """, arguments: [memberID])
        else { throw StoreError.unknownMember }
        var state = MemberState(
            id: row["id"], name: row["name"], status: MemberStatus(rawValue: row["status"]) ?? .blocked, group: row["card_group"],
            birthday: (row["birthday"] as String?).flatMap(CivilDate.init(parsing:)), ledgerBalance: Points(row["balance"]),
            credited: Points(row["credited"]), lifetimeSpend: Money(minorUnits: row["spend"]), lifetimeVisits: row["visits"])
        state.pending = Points(try db.cachedValue(Int64.self, sql: """
            SELECT COALESCE(SUM(points), 0) FROM ledger WHERE member_id = ? AND available_at_ms > ?
            """, arguments: [memberID, nowMilliseconds]) ?? 0)
        let expiredThrough: Int64 = row["expired_through"]
        state.dueLots = try db.cachedRows(sql: """
            SELECT id, points, credit_total, expires_at_ms FROM ledger
            WHERE member_id = ? AND expires_at_ms > ? AND expires_at_ms <= ? ORDER BY expires_at_ms, credit_total
            """, arguments: [memberID, expiredThrough, nowMilliseconds]
        ).map { lot in
            PointLot(
                id: lot["id"], points: Points(lot["points"]), creditedThrough: Points(lot["credit_total"] ?? 0),
                expiresAtMilliseconds: lot["expires_at_ms"])
        }
        if let windowDays {
            let firstDay = Self.day(of: nowMilliseconds) - Int64(windowDays) + 1
            let window = try db.cachedRow(sql: """
                SELECT COALESCE(SUM(spend), 0) AS spend, COALESCE(SUM(visits), 0) AS visits FROM activity
                WHERE member_id = ? AND day >= ?
                """, arguments: [memberID, firstDay])!
            state.windowSpend = Money(minorUnits: window["spend"])
            state.windowVisits = window["visits"]
        } else {
            state.windowSpend = state.lifetimeSpend
            state.windowVisits = state.lifetimeVisits
        }
        state.coupons = try db.cachedRows(sql: """
            SELECT id, rule_id, percent_millionths, expires_at_ms FROM coupons
            WHERE member_id = ? AND state = 'active' AND expires_at_ms > ? ORDER BY expires_at_ms, id
            """, arguments: [memberID, nowMilliseconds]
        ).map { coupon in
            Coupon(
                id: coupon["id"], ruleID: coupon["rule_id"], percent: Percentage(millionths: coupon["percent_millionths"]),
                expiresAtMilliseconds: coupon["expires_at_ms"])
        }
        return state
    }

    /// The UTC day number activity is counted in.
    static func day(of milliseconds: Int64) -> Int64 {
        milliseconds >= 0 ? milliseconds / 86_400_000 : -((-milliseconds + 86_399_999) / 86_400_000)
    }

    /// Adds a purchase's spend and visit (or takes a refund's back) to the member's totals and to
    /// the activity of the purchase's day.
    func addActivity(_ db: Database, member: MemberID, spend: Money, visits: Int64, purchasedAt: Int64) throws {
        try db.cachedExecute(sql: """
            INSERT INTO member_totals (member_id, spend, visits) VALUES (?, ?, ?)
            ON CONFLICT (member_id) DO UPDATE SET spend = spend + excluded.spend, visits = visits + excluded.visits
            """, arguments: [member, spend.minorUnits, visits])
        try db.cachedExecute(sql: """
            INSERT INTO activity (member_id, day, spend, visits) VALUES (?, ?, ?, ?)
            ON CONFLICT (member_id, day) DO UPDATE SET spend = spend + excluded.spend, visits = visits + excluded.visits
            """, arguments: [member, Self.day(of: purchasedAt), spend.minorUnits, visits])
    }
}
