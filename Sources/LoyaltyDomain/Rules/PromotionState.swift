/// What the store knows about the promotions a receipt touches, read before the quote: the
/// single-use codes among those the till sent, and how often each rule with a usage limit has been
/// used. The program decides everything from it; the store only reads and, at commit, writes the
/// uses the quote lists in ``Quote/promotionUses``.
public struct PromotionState: Sendable, Hashable {
    /// A generated single-use code the till sent, as stored.
    public struct GeneratedCode: Sendable, Hashable {
        /// The rule the code was generated for.
        public var ruleID: String
        /// Whether a committed purchase (not refunded whole) already used it.
        public var isUsed: Bool

        public init(ruleID: String, isUsed: Bool) {
            self.ruleID = ruleID
            self.isUsed = isUsed
        }
    }

    /// How often a rule was used by committed purchases (whole refunds give a use back).
    public struct Uses: Sendable, Hashable {
        public var total: Int64
        public var byMember: Int64

        public init(total: Int64 = 0, byMember: Int64 = 0) {
            self.total = total
            self.byMember = byMember
        }
    }

    /// By code text: the generated codes among those the till sent. A code absent here is not a
    /// generated one (it may still be a rule's shared `when.code`).
    public var generatedCodes: [String: GeneratedCode]
    /// By rule id: the uses of rules that have a usage limit.
    public var uses: [String: Uses]

    public init(generatedCodes: [String: GeneratedCode] = [:], uses: [String: Uses] = [:]) {
        self.generatedCodes = generatedCodes
        self.uses = uses
    }
}

/// A use of a promotion that a commit records: a rule with a usage limit or a single-use code gave
/// something. A refund of the whole receipt gives the use back.
public struct PromotionUse: Sendable, Hashable {
    public var ruleID: String
    /// The single-use code the use consumed, if any.
    public var code: String?

    public init(ruleID: String, code: String?) {
        self.ruleID = ruleID
        self.code = code
    }
}

/// What became of one code the till sent, listed in the quote in the order sent.
public struct CodeStatus: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// A rule taking the code gave something (a single-use code is used up at commit).
        case applied
        /// No rule has this code and no code was generated with this text.
        case unknown
        /// A single-use code that an earlier purchase used.
        case used
        /// The code's rule gave nothing, or does not apply, or another rule of its group was chosen.
        case notApplied = "not-applied"
    }

    public var code: String
    public var status: Status
    /// The rule the code belongs to (`nil` when unknown).
    public var ruleID: String?
    public var note: String

    public init(code: String, status: Status, ruleID: String?, note: String) {
        self.code = code
        self.status = status
        self.ruleID = ruleID
        self.note = note
    }
}
