/// Everything the program looks at about a member when it answers a lookup or a quote: the
/// ledger balance and its lots, the spend and visit aggregates, the coupons held.
///
/// The store fills it from indexed aggregates (never a scan of the history), and the program
/// derives the rest (tier, points expiring now, what is spendable) so that quote and commit,
/// given the same state and time, always agree.
public struct MemberState: Sendable, Hashable {
    public var id: MemberID
    /// For the cashier's screen only; never logged.
    public var name: String?
    public var status: MemberStatus
    /// The card group the member belongs to (such as `staff`), for rules limited to groups.
    public var group: String?
    public var birthday: CivilDate?
    /// The sum of the member's ledger.
    public var ledgerBalance: Points
    /// Points earned but not yet spendable (inside the pending period).
    public var pending: Points
    /// Every point ever credited as a lot (earned or welcome bonus), in all.
    public var credited: Points
    /// Lots whose expiry time has come but whose expiry is not yet in the ledger, oldest first.
    public var dueLots: [PointLot]
    /// Committed purchases: money paid (after discounts) and visits, over all time.
    public var lifetimeSpend: Money
    public var lifetimeVisits: Int64
    /// The same over the tier window (equal to the lifetime figures when tiers count all time).
    public var windowSpend: Money
    public var windowVisits: Int64
    /// Coupons the member holds that are valid now.
    public var coupons: [Coupon]

    public init(
        id: MemberID, name: String? = nil, status: MemberStatus = .active, group: String? = nil, birthday: CivilDate? = nil,
        ledgerBalance: Points = .zero, pending: Points = .zero, credited: Points = .zero, dueLots: [PointLot] = [],
        lifetimeSpend: Money = .zero, lifetimeVisits: Int64 = 0, windowSpend: Money = .zero, windowVisits: Int64 = 0,
        coupons: [Coupon] = []
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.group = group
        self.birthday = birthday
        self.ledgerBalance = ledgerBalance
        self.pending = pending
        self.credited = credited
        self.dueLots = dueLots
        self.lifetimeSpend = lifetimeSpend
        self.lifetimeVisits = lifetimeVisits
        self.windowSpend = windowSpend
        self.windowVisits = windowVisits
        self.coupons = coupons
    }
}

/// Points credited together (one purchase's earnings, a welcome bonus): the unit that expires.
public struct PointLot: Sendable, Hashable {
    /// The ledger entry that credited the lot.
    public var id: String
    public var points: Points
    /// All lot credits of the member up to and including this one, in earning order.
    public var creditedThrough: Points
    public var expiresAtMilliseconds: Int64

    public init(id: String, points: Points, creditedThrough: Points, expiresAtMilliseconds: Int64) {
        self.id = id
        self.points = points
        self.creditedThrough = creditedThrough
        self.expiresAtMilliseconds = expiresAtMilliseconds
    }
}

/// A next-purchase coupon the member holds.
public struct Coupon: Sendable, Hashable {
    public var id: String
    /// The coupon rule that issued it, and applies it.
    public var ruleID: String
    public var percent: Percentage
    public var expiresAtMilliseconds: Int64

    public init(id: String, ruleID: String, percent: Percentage, expiresAtMilliseconds: Int64) {
        self.id = id
        self.ruleID = ruleID
        self.percent = percent
        self.expiresAtMilliseconds = expiresAtMilliseconds
    }
}

/// The member as a lookup shows them: the state seen through the program.
public struct MemberView: Sendable, Hashable {
    public var id: MemberID
    public var name: String?
    public var status: MemberStatus
    /// The ledger balance after the points expiring now.
    public var balance: Points
    public var spendable: Points
    public var pending: Points
    public var tier: String?
    public var coupons: [Coupon]
}
