import LoyaltyDomain

/// Reads the `program` section: the policies and every rule, checked against each other (a rule's
/// tier must exist, its group must be declared) with errors at the exact key path.
struct ProgramReader {
    let currency: Currency
    let timeZone: StoreTimeZone
    /// `store.id`: rules with `when.stores` apply only in the stores they name.
    var storeID = ""

    static let keys = [
        "rounding", "points_rounding", "point_value", "max_discount_percent", "redemption", "points_expiry", "refunds", "exclusions", "tiers",
        "stacking_groups", "rewards", "rules",
    ]

    func program(_ section: ConfigNode) throws(ConfigProblem) -> LoyaltyProgram {
        try section.mapping(allowed: Self.keys)
        let rounding = try section["rounding"].oneOf(RoundingMode.self) ?? .halfUp
        let pointsRounding = try section["points_rounding"].oneOf(RoundingMode.self)
        let pointValue = try section["point_value"].money(currency) ?? Money(minorUnits: currency.minorUnitsPerMajor)
        guard pointValue.minorUnits > 0 else { throw section["point_value"].problem("must be greater than zero") }

        var policies = ProgramPolicies(currency: currency, timeZone: timeZone)
        policies.storeID = storeID
        if let cap = try section["max_discount_percent"].percentage() { policies.maximumDiscount = cap }

        let redemption = section["redemption"]
        try redemption.mapping(allowed: ["max_share_percent", "min_balance", "block", "earned_points_pay_rewards"])
        policies.redemption.earnedPointsPayRewards = try redemption["earned_points_pay_rewards"].bool() ?? false
        if let share = try redemption["max_share_percent"].percentage() { policies.redemption.maximumShare = share }
        if let minimum = try redemption["min_balance"].points() { policies.redemption.minimumBalance = minimum }
        if let block = try redemption["block"].integer(in: 1...1_000_000) { policies.redemption.blockSize = Points(Int64(block)) }

        let expiry = section["points_expiry"]
        try expiry.mapping(allowed: ["after_days", "pending_days", "at"])
        let endOfDay = try expiry["at"].oneOf(ExpiryMoment.self) == .endOfDay
        policies.expiry = PointsExpiryPolicy(
            afterDays: try expiry["after_days"].integer(in: 1...36_500),
            pendingDays: try expiry["pending_days"].integer(in: 0...3_650) ?? 0, endOfDayIn: endOfDay ? timeZone : nil)

        let refunds = section["refunds"]
        try refunds.mapping(allowed: ["spent_points", "reward_points"])
        policies.spentPoints = try refunds["spent_points"].oneOf(SpentPointsPolicy.self) ?? .allowNegative
        policies.rewardRefunds = try refunds["reward_points"].oneOf(RewardRefundPolicy.self) ?? .whenReturned

        for exclusion in try section["exclusions"].list() {
            try exclusion.mapping(allowed: ["categories", "skus", "from"])
            let lines = try exclusion.lineSelector()
            guard !lines.isAll else { throw exclusion.problem("name the categories or skus to exclude") }
            var scopes = Set<ExclusionScope>()
            for scope in try exclusion["from"].list() {
                guard let value = try scope.oneOf(ExclusionScope.self) else { throw scope.problem("expected earning, discount or points-payment") }
                scopes.insert(value)
            }
            guard !scopes.isEmpty else { throw exclusion["from"].problem("say what the lines are excluded from: earning, discount, points-payment") }
            policies.exclusions.append(LineExclusion(lines: lines, scopes: scopes))
        }

        policies.tiers = try tiers(section["tiers"])

        for group in try section["stacking_groups"].list() {
            try group.mapping(allowed: ["name", "mode"])
            guard let name = try group["name"].name() else { throw group["name"].problem("required key is missing") }
            guard !policies.groups.contains(where: { $0.name == name }) else { throw group["name"].problem("duplicate group \"\(name)\"") }
            guard let mode = try group["mode"].oneOf(StackingGroup.Mode.self) else { throw group["mode"].problem("required key is missing") }
            policies.groups.append(StackingGroup(name: name, mode: mode))
        }

        for reward in try section["rewards"].list() {
            try reward.mapping(allowed: ["sku", "name", "points", "percent"])
            let sku = try reward["sku"].requiredText()
            guard !policies.rewards.contains(where: { $0.sku == sku }) else { throw reward["sku"].problem("duplicate reward SKU \"\(sku)\"") }
            guard let points = try reward["points"].points(), points > .zero else { throw reward["points"].problem("a reward costs at least 1 point") }
            let percent = try reward["percent"].percentage()
            if let percent, percent.isZero || percent.millionths > 100 * Percentage.scale {
                throw reward["percent"].problem("a discount reward takes more than 0 and at most 100 percent")
            }
            policies.rewards.append(CatalogueReward(sku: sku, name: try reward["name"].text() ?? sku, points: points, percent: percent))
        }

        let reader = RuleReader(currency: currency, policies: policies)
        var rules: [any PricingRule] = []
        var ids = Set<String>()
        for entry in try section["rules"].list() {
            let rule = try reader.rule(entry)
            guard ids.insert(rule.id).inserted else { throw entry["id"].problem("duplicate rule id \"\(rule.id)\"") }
            if let group = rule.group, let other = rules.first(where: { $0.group == group && $0.stage != rule.stage }) {
                throw entry["group"].problem(
                    "rules of one stacking group must all be discounts or all earn points; \(other.id) in \(group) is not a \(rule.type) of the same kind")
            }
            rules.append(rule)
        }
        return LoyaltyProgram(rules: rules, rounding: rounding, pointsRounding: pointsRounding, pointValue: pointValue, policies: policies)
    }

    private func tiers(_ node: ConfigNode) throws(ConfigProblem) -> TierLadder? {
        guard node.isPresent else { return nil }
        try node.mapping(allowed: ["basis", "window_days", "levels", "receipt_tier"])
        guard let basis = try node["basis"].oneOf(TierLadder.Basis.self) else { throw node["basis"].problem("required key is missing") }
        var levels: [TierLadder.Level] = []
        for level in try node["levels"].list() {
            try level.mapping(allowed: ["name", "from"])
            guard let name = try level["name"].name() else { throw level["name"].problem("required key is missing") }
            guard !levels.contains(where: { $0.name == name }) else { throw level["name"].problem("duplicate tier \"\(name)\"") }
            let threshold: Int64
            switch basis {
            case .visits:
                guard let visits = try level["from"].integer(in: 0...1_000_000) else { throw level["from"].problem("required key is missing") }
                threshold = Int64(visits)
            case .spend:
                guard let spend = try level["from"].money(currency) else { throw level["from"].problem("required key is missing") }
                threshold = spend.minorUnits
            }
            if let previous = levels.last, previous.threshold >= threshold {
                throw level["from"].problem("levels must be listed from the lowest threshold up")
            }
            levels.append(TierLadder.Level(name: name, threshold: threshold))
        }
        guard !levels.isEmpty else { throw node["levels"].problem("list at least one level") }
        let receiptTier = try node["receipt_tier"].oneOf(ReceiptTier.self) ?? .before
        return TierLadder(
            basis: basis, windowDays: try node["window_days"].integer(in: 1...36_500), levels: levels,
            includesThisReceipt: receiptTier == .including)
    }

    /// `program.points_expiry.at`: the instant after_days × 24 h after earning, or the end of that store day.
    private enum ExpiryMoment: String, CaseIterable {
        case instant
        case endOfDay = "end-of-day"
    }

    /// `program.tiers.receipt_tier`: the tier before the receipt, or the one reached including it.
    private enum ReceiptTier: String, CaseIterable {
        case before = "before-receipt"
        case including = "including-receipt"
    }
}
