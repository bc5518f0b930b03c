import LoyaltyDomain

/// Everything the store knows about one member, for `loyaltyd member show` and `member find`:
/// personal data (given with consent), status, balance, cards and the latest ledger entries.
///
/// Holds personal data: print it only where a technician asked for it, never to a log.
public struct MemberDetail: Sendable, Hashable {
    /// One of the member's carriers.
    public struct Card: Sendable, Hashable {
        public var carrier: Carrier
        public var status: CarrierStatus
        public var linkedAtMilliseconds: Int64

        public init(carrier: Carrier, status: CarrierStatus, linkedAtMilliseconds: Int64) {
            self.carrier = carrier
            self.status = status
            self.linkedAtMilliseconds = linkedAtMilliseconds
        }
    }

    public var id: MemberID
    public var name: String?
    /// Contact phone, normalised (a phone the member is identified by is among ``cards`` as kind `phone`).
    public var phone: String?
    /// `YYYY-MM-DD`.
    public var birthday: String?
    /// Free-text group from a member list or `member add --group`.
    public var group: String?
    public var status: MemberStatus
    /// Set when this member was merged into another one (it is then blocked, with no cards and no balance).
    public var mergedInto: MemberID?
    public var consentAtMilliseconds: Int64?
    public var createdAtMilliseconds: Int64
    public var balance: Points
    public var cards: [Card]
    /// Committed purchases, and when the latest was made.
    public var purchases: Int
    public var lastPurchaseAtMilliseconds: Int64?
    /// The newest ledger entries first; empty where they were not asked for (`member find`).
    public var recentLedger: [LoyaltyStore.LedgerEntry]

    public init(
        id: MemberID, name: String?, phone: String?, birthday: String?, group: String?, status: MemberStatus,
        mergedInto: MemberID?, consentAtMilliseconds: Int64?, createdAtMilliseconds: Int64, balance: Points,
        cards: [Card], purchases: Int, lastPurchaseAtMilliseconds: Int64?, recentLedger: [LoyaltyStore.LedgerEntry]
    ) {
        self.id = id
        self.name = name
        self.phone = phone
        self.birthday = birthday
        self.group = group
        self.status = status
        self.mergedInto = mergedInto
        self.consentAtMilliseconds = consentAtMilliseconds
        self.createdAtMilliseconds = createdAtMilliseconds
        self.balance = balance
        self.cards = cards
        self.purchases = purchases
        self.lastPurchaseAtMilliseconds = lastPurchaseAtMilliseconds
        self.recentLedger = recentLedger
    }
}

/// What `loyaltyd member find` looks for; every criterion given must match.
public struct MemberQuery: Sendable, Hashable {
    /// A part of the name, in any case (Unicode case folding: "MÜLLER" finds "Müller").
    public var nameContains: String?
    /// A normalised phone: the contact phone or a phone carrier, exactly.
    public var phone: String?
    /// Digits found anywhere in the contact phone or a phone carrier.
    public var phoneDigitsContain: String?
    /// A card, exactly.
    public var carrier: Carrier?
    /// Parts of a card's value, by the kinds of card to look at (written as each kind stores its
    /// value: a UID as uppercase hex); a member matches when one of their cards contains its kind's part.
    public var carrierContains: [CarrierKind: String]
    public var birthday: String?
    public var group: String?

    public init(
        nameContains: String? = nil, phone: String? = nil, phoneDigitsContain: String? = nil, carrier: Carrier? = nil,
        carrierContains: [CarrierKind: String] = [:], birthday: String? = nil, group: String? = nil
    ) {
        self.nameContains = nameContains
        self.phone = phone
        self.phoneDigitsContain = phoneDigitsContain
        self.carrier = carrier
        self.carrierContains = carrierContains
        self.birthday = birthday
        self.group = group
    }

    public var isEmpty: Bool {
        nameContains == nil && phone == nil && phoneDigitsContain == nil && carrier == nil && carrierContains.isEmpty && birthday == nil
            && group == nil
    }
}

/// What `loyaltyd member merge` did.
public struct MergeOutcome: Sendable, Hashable {
    public var merged: MemberID
    public var survivor: MemberID
    /// The merged member's balance, now the survivor's (through two `adjust` ledger entries).
    public var pointsMoved: Points
    public var cardsMoved: Int
    public var purchasesMoved: Int
    public var survivorBalance: Points
}
