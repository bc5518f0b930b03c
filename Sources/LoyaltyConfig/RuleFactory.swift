import LoyaltyDomain

/// Builds the program's rules from their configuration entries. Each rule type names the keys
/// it takes; anything else is refused with the rule's key path.
enum RuleFactory {
    static let types = [FixedDiscountRule.type, PointsEarningRule.type]

    static func rule(from entry: ConfigFile.RuleEntry, path: [String]) throws(ConfigProblem) -> any PricingRule {
        guard ConfigText.isName(entry.id, maximumLength: 64, inner: "_.-", ends: "_.-") else {
            throw ConfigProblem(path + ["id"], "\"\(entry.id)\" must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        switch entry.type {
        case FixedDiscountRule.type:
            try expectKeys(["percent"], in: entry, path: path)
            return FixedDiscountRule(id: entry.id, percent: try percentage(entry, "percent", path: path))
        case PointsEarningRule.type:
            try expectKeys(["earn_percent"], in: entry, path: path)
            return PointsEarningRule(id: entry.id, percent: try percentage(entry, "earn_percent", path: path))
        default:
            throw ConfigProblem(path + ["type"], "unknown rule type \"\(entry.type)\" (known: \(types.joined(separator: ", ")))")
        }
    }

    private static func expectKeys(_ keys: Set<String>, in entry: ConfigFile.RuleEntry, path: [String]) throws(ConfigProblem) {
        if let unknown = entry.settings.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ConfigProblem(path + [unknown], "unknown key for a \(entry.type) rule (known: id, type, \(keys.sorted().joined(separator: ", ")))")
        }
        if let missing = keys.sorted().first(where: { entry.settings[$0] == nil }) {
            throw ConfigProblem(path + [missing], "required for a \(entry.type) rule")
        }
    }

    private static func percentage(_ entry: ConfigFile.RuleEntry, _ key: String, path: [String]) throws(ConfigProblem) -> Percentage {
        do {
            return try Percentage(parsing: entry.settings[key] ?? "")
        } catch {
            throw ConfigProblem(path + [key], error.description)
        }
    }
}
