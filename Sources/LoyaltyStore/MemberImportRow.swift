import LoyaltyDomain

/// One member of a member list (`loyaltyd member import`), checked and normalised by the reader of
/// the file; `line` is where its record starts, for messages.
public struct MemberImportRow: Sendable, Hashable {
    public var line: Int
    /// The `card` column.
    public var card: Carrier?
    public var name: String?
    /// Normalised as carriers are.
    public var phone: String?
    /// `YYYY-MM-DD`, checked.
    public var birthday: String?
    public var group: String?
    /// The `member_id` column: consecutive rows with the same value are one member (export writes
    /// a member with several cards so). It only groups rows; it is not stored.
    public var groupKey: String?

    public init(line: Int, card: Carrier?, name: String?, phone: String?, birthday: String?, group: String?, groupKey: String?) {
        self.line = line
        self.card = card
        self.name = name
        self.phone = phone
        self.birthday = birthday
        self.group = group
        self.groupKey = groupKey
    }

    /// What identifies a new member at the till: the card, or else the phone (as `member.enroll` does).
    var carrier: Carrier? { card ?? phone.flatMap { try? Carrier(kind: .phone, value: $0) } }

    /// Whether the row holds data that is stored only with consent.
    public var hasPersonalData: Bool { name != nil || phone != nil || birthday != nil }
}

/// What an import did, or would do, with one row.
public enum MemberImportOutcome: Sendable, Hashable {
    /// A new member with the row's card (or phone).
    case created
    /// The row's card or phone names an existing member, and its new card was linked to that member.
    case linked
    /// Everything in the row is already there: nothing written.
    case unchanged
    /// The row contradicts the database or an earlier row (its card and phone belong to different members).
    case invalid(String)
}

/// The member the previous row went to, so that consecutive rows with the same `member_id` become
/// one member across batches. Start with `MemberImportGroup()` and pass back what each batch returns.
public struct MemberImportGroup: Sendable, Hashable {
    var key: String?
    var owner: String?

    public init() {}

    init(key: String?, owner: String?) {
        self.key = key
        self.owner = owner
    }
}
