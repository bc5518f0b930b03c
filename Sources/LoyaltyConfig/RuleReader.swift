import LoyaltyDomain

/// Reads one entry of `program.rules`. Each rule type names the keys it takes; anything else,
/// and any reference to an undeclared tier or stacking group, is refused at its key path.
struct RuleReader {
    let currency: Currency
    let policies: ProgramPolicies

    static let common = ["id", "type", "when", "group", "enabled", "categories", "skus"]
    static let typeKeys: [String: [String]] = [
        "discount": ["percent", "percent_by_tier", "percent_by_spend", "applies_to", "max_amount"],
        "money-off": ["amount"],
        "free-items": ["buy", "free", "free_categories", "free_skus", "most_expensive_first", "max_amount"],
        "fixed-discount": ["percent"],
        "points": ["earn_percent", "earn_percent_by_tier", "earn_percent_by_spend", "points_per_amount", "points_per_purchase"],
        "points-multiplier": ["multiplier"],
        "item-points": ["points_per_item"],
        "coupon": ["percent", "free_skus", "free_categories", "min_total", "valid_days"],
        "welcome-bonus": ["points", "occasion"],
    ]

    func rule(_ entry: ConfigNode) throws(ConfigProblem) -> any PricingRule {
        guard entry.node?.mapping != nil else { throw entry.problem("expected a rule with id and type") }
        guard let id = try entry["id"].name() else { throw entry["id"].problem("required key is missing") }
        let type = try entry["type"].requiredText()
        guard let keys = Self.typeKeys[type] else {
            throw entry["type"].problem("unknown rule type \"\(type)\" (known: \(Self.typeKeys.keys.sorted().joined(separator: ", ")))")
        }
        try entry.mapping(allowed: Self.common + keys)
        var conditions = try self.conditions(entry["when"])
        conditions.enabled = try entry["enabled"].bool() ?? true
        let group = try entry["group"].name()
        if let group, !policies.groups.contains(where: { $0.name == group }) {
            throw entry["group"].problem("no stacking group \"\(group)\" in program.stacking_groups")
        }
        let lines = try entry.lineSelector()
        if type == "coupon" || type == "welcome-bonus", conditions.code != nil || conditions.countsUses {
            throw entry["when"].problem("codes and usage limits are for discount, money-off, free-items and points rules")
        }

        switch type {
        case "discount", "fixed-discount":
            let rate = try schedule(entry, fixed: "percent", byTier: "percent_by_tier", bySpend: "percent_by_spend")
            let target = try entry["applies_to"].oneOf(DiscountRule.Target.self) ?? .lines
            return DiscountRule(
                id: id, rate: rate, lines: lines, target: target, maximumAmount: try positiveMoney(entry["max_amount"]),
                conditions: conditions, group: group)
        case "money-off":
            guard let amount = try positiveMoney(entry["amount"]) else { throw entry["amount"].problem("required key is missing") }
            return MoneyOffRule(id: id, amount: amount, lines: lines, conditions: conditions, group: group)
        case "free-items":
            return try freeItems(entry, id: id, lines: lines, conditions: conditions, group: group)
        case "points":
            let earning: PointsRule.Earning
            let earnings = ["earn_percent", "earn_percent_by_tier", "earn_percent_by_spend", "points_per_amount", "points_per_purchase"]
            if entry["points_per_purchase"].isPresent {
                guard earnings.filter({ entry[$0].isPresent }).count == 1 else {
                    throw entry["points_per_purchase"].problem("give points_per_purchase alone, without points_per_amount or an earn_percent")
                }
                guard let points = try entry["points_per_purchase"].points(), points > .zero else {
                    throw entry["points_per_purchase"].problem("at least 1 point is required")
                }
                earning = .perPurchase(points)
            } else if entry["points_per_amount"].isPresent {
                let per = entry["points_per_amount"]
                try per.mapping(allowed: ["amount", "points"])
                guard let amount = try per["amount"].money(currency), amount > .zero else { throw per["amount"].problem("an amount greater than zero is required") }
                guard let points = try per["points"].points(), points > .zero else { throw per["points"].problem("at least 1 point is required") }
                guard !entry["earn_percent"].isPresent, !entry["earn_percent_by_tier"].isPresent, !entry["earn_percent_by_spend"].isPresent else {
                    throw per.problem("give either points_per_amount or an earn_percent, not both")
                }
                earning = .perAmount(amount: amount, points: points)
            } else {
                earning = .percent(try schedule(entry, fixed: "earn_percent", byTier: "earn_percent_by_tier", bySpend: "earn_percent_by_spend"))
            }
            return PointsRule(id: id, earning: earning, lines: lines, conditions: conditions, group: group)
        case "points-multiplier":
            guard let text = try entry["multiplier"].text() else { throw entry["multiplier"].problem("required key is missing") }
            let multiplier: Multiplier
            do { multiplier = try Multiplier(parsing: text) } catch { throw entry["multiplier"].problem(error.description) }
            guard multiplier.millionths >= Percentage.scale else { throw entry["multiplier"].problem("a multiplier is at least 1") }
            return PointsMultiplierRule(id: id, multiplier: multiplier, lines: lines, conditions: conditions, group: group)
        case "item-points":
            guard !lines.isAll else { throw entry.problem("an item-points rule names its categories or skus") }
            guard let points = try entry["points_per_item"].points(), points > .zero else {
                throw entry["points_per_item"].problem("at least 1 point per item is required")
            }
            return ItemPointsRule(id: id, pointsPerItem: points, lines: lines, conditions: conditions, group: group)
        case "coupon":
            guard lines.isAll else { throw entry.problem("a coupon applies to the whole next receipt: leave out categories and skus") }
            let free = try freeSelector(entry)
            let percent: Percentage
            if let free {
                guard !entry["percent"].isPresent else { throw entry["percent"].problem("a coupon gives a percent or free items, not both") }
                guard !free.isAll else { throw entry.problem("name the free_skus or free_categories") }
                percent = Percentage(millionths: 0)
            } else {
                guard let given = try entry["percent"].percentage(), !given.isZero else { throw entry["percent"].problem("a percentage above 0 is required") }
                percent = given
            }
            guard let minimum = try entry["min_total"].money(currency) else { throw entry["min_total"].problem("required key is missing") }
            guard let days = try entry["valid_days"].integer(in: 1...3_650) else { throw entry["valid_days"].problem("required key is missing") }
            return CouponRule(
                id: id, percent: percent, freeItems: free, minimumTotal: minimum, validDays: days, conditions: conditions, group: group)
        default:
            guard lines.isAll else { throw entry.problem("a welcome bonus is not about receipt lines: leave out categories and skus") }
            guard let points = try entry["points"].points(), points > .zero else { throw entry["points"].problem("at least 1 point is required") }
            guard let occasion = try entry["occasion"].oneOf(WelcomeBonusRule.Occasion.self) else { throw entry["occasion"].problem("required key is missing") }
            return WelcomeBonusRule(id: id, points: points, occasion: occasion, conditions: conditions, group: group)
        }
    }

    /// An amount of money above zero, or `nil` when the key is absent.
    private func positiveMoney(_ node: ConfigNode) throws(ConfigProblem) -> Money? {
        guard let amount = try node.money(currency) else { return nil }
        guard amount > .zero else { throw node.problem("an amount greater than zero is required") }
        return amount
    }

    /// `buy` units of the rule's items make `free` units free: of the same items, or of `free_categories`/`free_skus`.
    private func freeItems(
        _ entry: ConfigNode, id: String, lines: LineSelector, conditions: RuleConditions, group: String?
    ) throws(ConfigProblem) -> FreeItemsRule {
        guard !lines.isAll else { throw entry.problem("a free-items rule names the categories or skus it counts") }
        guard let buy = try entry["buy"].integer(in: 1...1_000) else { throw entry["buy"].problem("required key is missing") }
        guard let free = try entry["free"].integer(in: 1...1_000) else { throw entry["free"].problem("required key is missing") }
        let reward = try freeSelector(entry)
        return FreeItemsRule(
            id: id, buy: Int64(buy), free: Int64(free), lines: lines, rewardLines: reward,
            mostExpensiveFirst: try entry["most_expensive_first"].bool() ?? false, maximumAmount: try positiveMoney(entry["max_amount"]),
            conditions: conditions, group: group)
    }

    /// `free_skus` and `free_categories`, checked as a till's SKUs and categories; `nil` when neither is given.
    private func freeSelector(_ entry: ConfigNode) throws(ConfigProblem) -> LineSelector? {
        guard entry["free_skus"].isPresent || entry["free_categories"].isPresent else { return nil }
        var selector = LineSelector()
        for (key, field) in [("free_categories", IdentifierField.category), ("free_skus", .sku)] {
            for item in try entry[key].list() {
                let value = try item.requiredText()
                do { _ = try TextCheck.identifier(value, field) } catch { throw item.problem(error.description) }
                if key == "free_skus" { selector.skus.insert(value) } else { selector.categories.insert(value) }
            }
        }
        return selector
    }

    /// Exactly one of a fixed percentage, a percentage per tier, or steps by accumulated spend.
    private func schedule(_ entry: ConfigNode, fixed: String, byTier: String, bySpend: String) throws(ConfigProblem) -> RateSchedule {
        let given = [fixed, byTier, bySpend].filter { entry[$0].isPresent }
        guard given.count == 1 else { throw entry.problem("give exactly one of \(fixed), \(byTier) or \(bySpend)") }
        if let percent = try entry[fixed].percentage() { return .fixed(percent) }
        if entry[byTier].isPresent {
            guard let ladder = policies.tiers else { throw entry[byTier].problem("the program has no tiers (program.tiers)") }
            var rates: [String: Percentage] = [:]
            for (tier, value) in try entry[byTier].pairs() {
                guard ladder.levels.contains(where: { $0.name == tier }) else {
                    throw value.problem("no tier \"\(tier)\" in program.tiers.levels")
                }
                rates[tier] = try value.percentage()
            }
            return .byTier(rates)
        }
        var steps: [RateSchedule.SpendStep] = []
        for step in try entry[bySpend].list() {
            try step.mapping(allowed: ["from", "percent"])
            guard let from = try step["from"].money(currency) else { throw step["from"].problem("required key is missing") }
            guard let percent = try step["percent"].percentage() else { throw step["percent"].problem("required key is missing") }
            if let last = steps.last, last.from >= from { throw step["from"].problem("steps must be listed from the lowest spend up") }
            steps.append(.init(from: from, percent: percent))
        }
        guard !steps.isEmpty else { throw entry[bySpend].problem("list at least one step") }
        return .bySpend(steps)
    }

    private func conditions(_ node: ConfigNode) throws(ConfigProblem) -> RuleConditions {
        var conditions = RuleConditions()
        try node.mapping(allowed: [
            "card_groups", "tiers", "from", "until", "weekdays", "hours", "birthday", "min_total", "first_purchase", "code",
            "single_use_codes", "min_quantity", "requires_skus", "min_selected_total", "max_uses", "max_uses_per_member", "stores",
        ])
        conditions.cardGroups = Set(try node["card_groups"].texts())
        for tier in try node["tiers"].list() {
            let name = try tier.requiredText()
            guard policies.tiers?.levels.contains(where: { $0.name == name }) == true else {
                throw tier.problem("no tier \"\(name)\" in program.tiers.levels")
            }
            conditions.tiers.insert(name)
        }
        conditions.fromDate = try node["from"].date()
        conditions.untilDate = try node["until"].date()
        if let from = conditions.fromDate, let until = conditions.untilDate, until < from {
            throw node["until"].problem("the campaign ends before it starts")
        }
        for day in try node["weekdays"].list() {
            let text = try day.requiredText().lowercased()
            guard let index = RuleConditions.weekdayNames.firstIndex(of: String(text.prefix(3))), text.count >= 3 else {
                throw day.problem("\"\(text)\" is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
            }
            conditions.weekdays.insert(index)
        }
        if let hours = try node["hours"].text() {
            conditions.hours = try Self.hours(hours, node["hours"])
        }
        let birthday = node["birthday"]
        if birthday.isPresent {
            try birthday.mapping(allowed: ["days_before", "days_after"])
            conditions.birthday = (try birthday["days_before"].integer(in: 0...31) ?? 0, try birthday["days_after"].integer(in: 0...31) ?? 0)
        }
        conditions.minimumTotal = try node["min_total"].money(currency)
        conditions.firstPurchaseOnly = try node["first_purchase"].bool() ?? false
        try promotionConditions(node, into: &conditions)
        return conditions
    }

    /// Codes, usage limits and conditions on the receipt's content.
    private func promotionConditions(_ node: ConfigNode, into conditions: inout RuleConditions) throws(ConfigProblem) {
        if let code = try node["code"].text() {
            do { conditions.code = try TextCheck.identifier(code, .promotionCode) } catch { throw node["code"].problem(error.description) }
        }
        conditions.singleUseCodes = try node["single_use_codes"].bool() ?? false
        if conditions.singleUseCodes, conditions.code != nil {
            throw node["single_use_codes"].problem("give a shared code or single-use codes, not both")
        }
        if let text = try node["min_quantity"].text() {
            guard let quantity = try? Quantity(parsing: text), quantity.millionths > 0 else {
                throw node["min_quantity"].problem("\"\(text)\" is not a quantity like \"6\" or \"1.5\"")
            }
            conditions.minimumQuantity = quantity
        }
        for sku in try node["requires_skus"].list() {
            let value = try sku.requiredText()
            do { _ = try TextCheck.identifier(value, .sku) } catch { throw sku.problem(error.description) }
            conditions.requiredSKUs.insert(value)
        }
        conditions.minimumSelectedTotal = try node["min_selected_total"].money(currency)
        conditions.maximumUses = try node["max_uses"].integer(in: 1...1_000_000_000).map(Int64.init)
        conditions.maximumUsesPerMember = try node["max_uses_per_member"].integer(in: 1...1_000_000).map(Int64.init)
        for store in try node["stores"].list() {
            let id = try store.requiredText()
            guard ConfigText.isName(id, maximumLength: 32, inner: "_-", ends: "_") else {
                throw store.problem("\"\(id)\" is not a store id (1 to 32 letters, digits, '_' or '-')")
            }
            conditions.stores.insert(id)
        }
    }

    /// `"10:00-14:00"`; an end before the start runs past midnight (`"22:00-02:00"`).
    static func hours(_ text: String, _ node: ConfigNode) throws(ConfigProblem) -> ClosedRange<Int> {
        func minutes(_ clock: Substring) -> Int? {
            let parts = clock.split(separator: ":")
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]), let minute = Int(parts[1]),
                  (0...24).contains(hour), (0...59).contains(minute), hour * 60 + minute <= 1_440 else { return nil }
            return hour * 60 + minute
        }
        let ends = text.split(separator: "-")
        guard ends.count == 2, let start = minutes(ends[0]), let end = minutes(ends[1]), start != end else {
            throw node.problem("\"\(text)\" is not a time range like \"10:00-14:00\"")
        }
        return start...(end > start ? end : end + 1_440)
    }
}
