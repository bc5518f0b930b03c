/// A member's identifier: globally unique across the stores of a chain.
public typealias MemberID = String

/// Whether a member (or one of their carriers) may earn and redeem.
public enum MemberStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case active
    case blocked
}

/// Whether a carrier is usable.
public enum CarrierStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case active
    case blocked
    case lost
}

/// What the till is told about a member when a carrier is presented or looked up.
///
/// It carries the name for the cashier's screen; it is never written to a log.
public struct MemberSummary: Sendable, Hashable {
    public var id: MemberID
    public var name: String?
    public var status: MemberStatus
    public var balance: Points
    /// Tier name once the rules engine has tiers; `nil` for programs without them.
    public var tier: String?

    public init(id: MemberID, name: String?, status: MemberStatus, balance: Points, tier: String? = nil) {
        self.id = id
        self.name = name
        self.status = status
        self.balance = balance
        self.tier = tier
    }
}

/// The personal data a till may send when it enrols a member. Stored only with consent; never logged.
public struct Enrolment: Sendable, Hashable {
    public var carrier: Carrier
    public var name: String?
    public var phone: String?
    /// `YYYY-MM-DD`, checked.
    public var birthday: String?
    /// Milliseconds since the epoch when the member consented, if they did.
    public var consentAtMilliseconds: Int64?
    /// The card group (such as `staff`) for rules limited to groups.
    public var group: String?

    public init(carrier: Carrier, name: String?, phone: String?, birthday: String?, consentAtMilliseconds: Int64?, group: String? = nil) {
        self.group = group
        self.carrier = carrier
        self.name = name
        self.phone = phone
        self.birthday = birthday
        self.consentAtMilliseconds = consentAtMilliseconds
    }
}
