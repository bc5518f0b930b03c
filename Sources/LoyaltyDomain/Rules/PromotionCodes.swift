/// Promotion codes a till sends with a receipt (`codes`): a shared code that a rule names in
/// `when.code`, or a single-use code generated for a rule with `when.single_use_codes`.
///
/// A code never fails a quote: each gets its own status (applied, unknown, used, not applied, with
/// a note), and the rules that needed it say why they gave nothing. A single-use code is used up
/// only by a receipt its rule takes something off, once; a whole refund gives it back.
public enum PromotionCodes {
    /// The status of each code sent, and the uses a commit records, once every rule has run.
    static func outcome(
        of codes: [String], rules: [any PricingRule], applied: [AppliedRule], in context: RuleContext
    ) -> ([CodeStatus], [PromotionUse]) {
        var uses: [PromotionUse] = []
        for rule in rules where rule.conditions.countsUses {
            guard applied.contains(where: { $0.id == rule.id && $0.status == .applied }) else { continue }
            let code = rule.conditions.singleUseCodes ? rule.conditions.singleUseCode(of: rule.id, in: context) : nil
            uses.append(PromotionUse(ruleID: rule.id, code: code))
        }

        var statuses: [CodeStatus] = []
        var seen = Set<String>()
        for code in codes {
            guard seen.insert(code).inserted else {
                statuses.append(CodeStatus(code: code, status: .notApplied, ruleID: nil, note: "sent twice: counted once"))
                continue
            }
            let sharing = rules.filter { $0.conditions.code == code }
            if !sharing.isEmpty {
                statuses.append(status(of: code, rules: sharing.map(\.id), applied: applied))
            } else if let generated = context.promotions.generatedCodes[code] {
                if generated.isUsed {
                    statuses.append(CodeStatus(
                        code: code, status: .used, ruleID: generated.ruleID, note: "already used by an earlier receipt"))
                } else if let use = uses.first(where: { $0.ruleID == generated.ruleID }), let taken = use.code, taken != code {
                    statuses.append(CodeStatus(
                        code: code, status: .notApplied, ruleID: generated.ruleID,
                        note: "\(generated.ruleID) already takes code \(taken) on this receipt; this code stays unused"))
                } else if !rules.contains(where: { $0.id == generated.ruleID }) {
                    statuses.append(CodeStatus(
                        code: code, status: .notApplied, ruleID: generated.ruleID,
                        note: "the rule \(generated.ruleID) is no longer in the program"))
                } else {
                    statuses.append(status(of: code, rules: [generated.ruleID], applied: applied))
                }
            } else {
                statuses.append(CodeStatus(code: code, status: .unknown, ruleID: nil, note: "no promotion has this code"))
            }
        }
        return (statuses, uses)
    }

    /// Applied when one of the code's rules gave something; otherwise what the first one said.
    private static func status(of code: String, rules: [String], applied: [AppliedRule]) -> CodeStatus {
        let entries = applied.filter { rules.contains($0.id) }
        if let given = entries.first(where: { $0.status == .applied }) {
            return CodeStatus(code: code, status: .applied, ruleID: given.id, note: given.note)
        }
        let first = entries.first
        return CodeStatus(
            code: code, status: .notApplied, ruleID: first?.id ?? rules.first,
            note: first.map { "\($0.status.rawValue): \($0.note)" } ?? "its rule is not used on purchases")
    }
}
