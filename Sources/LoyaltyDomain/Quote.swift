/// What one rule gave on one receipt, listed in every quote so the cashier and the store can see why.
public struct AppliedRule: Sendable, Hashable {
    public var id: String
    public var type: String
    public var discount: Money
    public var points: Points
    /// A short human explanation, such as "5% of 100.00" or "matched but gave nothing: ...".
    public var note: String

    public init(id: String, type: String, discount: Money = .zero, points: Points = .zero, note: String) {
        self.id = id
        self.type = type
        self.discount = discount
        self.points = points
        self.note = note
    }
}

/// The program's answer to a receipt: what the member gets and what remains to pay.
public struct Quote: Sendable, Hashable {
    public var total: Money
    public var discount: Money
    public var pointsEarned: Points
    public var pointsRedeemed: Points
    /// What the redeemed points are worth in money.
    public var redeemedValue: Money
    /// The most points this member could redeem on this receipt.
    public var pointsRedeemable: Points
    public var payable: Money
    public var balanceBefore: Points
    public var rules: [AppliedRule]
    /// The hash of the rule set this quote was computed with; recorded on every ledger entry.
    public var rulesVersion: String

    public var balanceAfter: Points { balanceBefore - pointsRedeemed + pointsEarned }
}
