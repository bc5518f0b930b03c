/// A rule used beyond its usage limit: boxes of a chain that could not see each other each allowed
/// a use the other had already counted. The sales stand (offline boxes keep serving); the overrun
/// is reported (`loyaltyd chain status`) so it is never silently lost.
public struct PromotionOverrun: Sendable, Hashable {
    public var ruleID: String
    /// The uses that stand, and the limit they passed.
    public var uses: Int64
    public var limit: Int64
    /// `true` for `max_uses_per_member` (then `uses` is the most one member has), `false` for `max_uses`.
    public var perMember: Bool

    public init(ruleID: String, uses: Int64, limit: Int64, perMember: Bool) {
        self.ruleID = ruleID
        self.uses = uses
        self.limit = limit
        self.perMember = perMember
    }
}

extension LoyaltyProgram {
    /// The program's limited rules whose standing uses pass their limits.
    /// - Parameters:
    ///   - totals: by rule id, the uses that stand.
    ///   - mostByOneMember: by rule id, the most uses that stand for one member.
    public func promotionOverruns(totals: [String: Int64], mostByOneMember: [String: Int64]) -> [PromotionOverrun] {
        var overruns: [PromotionOverrun] = []
        for rule in rules {
            if let limit = rule.conditions.maximumUses, let uses = totals[rule.id], uses > limit {
                overruns.append(PromotionOverrun(ruleID: rule.id, uses: uses, limit: limit, perMember: false))
            }
            if let limit = rule.conditions.maximumUsesPerMember, let uses = mostByOneMember[rule.id], uses > limit {
                overruns.append(PromotionOverrun(ruleID: rule.id, uses: uses, limit: limit, perMember: true))
            }
        }
        return overruns
    }
}
