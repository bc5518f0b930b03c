extension LoyaltyProgram {
    /// Applies the rules of one stage in configured order. A stacking group is settled where its
    /// first rule stands: each of its rules is tried on the same receipt and one is kept.
    func run(_ stage: RuleStage, on draft: inout QuoteDraft, in context: RuleContext) {
        var settledGroups = Set<String>()
        // Enrolment bonuses are given by member.enroll; they have nothing to say about a receipt.
        let stageRules = rules.filter { $0.stage == stage && ($0 as? WelcomeBonusRule)?.occasion != .enrolment }
        for rule in stageRules {
            guard let groupName = rule.group else {
                // Alone, a rule works on the draft itself: no copy of the draft (and of the rules
                // listed so far) per rule.
                apply(rule, to: &draft, in: context)
                continue
            }
            guard settledGroups.insert(groupName).inserted else { continue }
            let mode = policies.groups.first { $0.name == groupName }?.mode ?? .exclusive
            let members = stageRules.filter { $0.group == groupName }
            let attempts = members.map { attempt($0, on: draft, in: context) }
            var chosen: Int?
            for index in attempts.indices where attempts[index].gave {
                switch mode {
                case .exclusive:
                    if chosen == nil { chosen = index }
                case .bestOf:
                    if chosen.map({ value(of: attempts[index]) > value(of: attempts[$0]) }) ?? true { chosen = index }
                }
            }
            // Every rule of the group is listed in order: the chosen one as applied, the others with why not.
            var entries: [AppliedRule] = []
            for (index, attempt) in attempts.enumerated() {
                var entry = attempt.entry
                if index != chosen, attempt.gave, let chosen {
                    entry = AppliedRule(
                        id: entry.id, type: entry.type, status: .notChosen,
                        note: "stacking group \(groupName) (\(mode.rawValue)): \(members[chosen].id) was chosen; this rule would have given \(entry.note)")
                }
                entries.append(entry)
            }
            let listed = draft.applied + entries
            if let chosen { draft = attempts[chosen].draft }
            draft.applied = listed
        }
    }

    /// What the member would get from a rule's attempt, in money: discount plus points at their value.
    private func value(of attempt: Attempt) -> Int128 {
        Int128(attempt.entry.discount.minorUnits) + Int128(attempt.entry.points.value) * Int128(pointValue.minorUnits)
    }

    struct Attempt {
        var draft: QuoteDraft
        var entry: AppliedRule
        var gave: Bool
    }

    /// Applies one rule to a copy of `draft`, recording what it gave (or why not) in the copy.
    func attempt(_ rule: any PricingRule, on draft: QuoteDraft, in context: RuleContext) -> Attempt {
        var copy = draft
        let (entry, gave) = apply(rule, to: &copy, in: context)
        return Attempt(draft: copy, entry: entry, gave: gave)
    }

    /// Applies `rule` to `draft` if its conditions hold, and lists it in the draft's rules either way.
    /// - Returns: the rule's entry, and whether it gave a discount or points.
    @discardableResult
    func apply(_ rule: any PricingRule, to draft: inout QuoteDraft, in context: RuleContext) -> (entry: AppliedRule, gave: Bool) {
        let reason = rule is CouponRule ? nil : rule.reasonNotApplicable(in: context)
        if let reason {
            let entry = AppliedRule(id: rule.id, type: rule.type, status: .notApplicable, note: reason)
            draft.applied.append(entry)
            return (entry, false)
        }
        let discountBefore = draft.discount
        let pointsBefore = draft.pointsEarned
        let note = rule.apply(to: &draft, in: context)
        let discount = draft.discount - discountBefore
        let points = draft.pointsEarned - pointsBefore
        let gave = discount > .zero || points > .zero
        let entry = AppliedRule(
            id: rule.id, type: rule.type, status: gave ? .applied : .gaveNothing, discount: discount, points: points, note: note)
        draft.applied.append(entry)
        return (entry, gave)
    }
}
