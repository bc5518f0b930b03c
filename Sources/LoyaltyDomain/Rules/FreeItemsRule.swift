/// Free units: "buy 3, get 1 free" (every 4 selected units, 1 is free) or "buy A, get B free"
/// (every `buy` units of the selected items make `free` units of the reward items free). The free
/// units are the cheapest ones unless `most_expensive_first`; the reward item must be on the
/// receipt (the till rings it up at its price and the rule takes it off). Only whole units count.
public struct FreeItemsRule: PricingRule {
    public static let type = "free-items"
    public let id: String
    public let buy: Int64
    public let free: Int64
    /// The items counted toward `buy`.
    public let lines: LineSelector
    /// The items given free; `nil`: the counted items themselves.
    public let rewardLines: LineSelector?
    public let mostExpensiveFirst: Bool
    public let maximumAmount: Money?
    public let conditions: RuleConditions
    public let group: String?
    public var type: String { Self.type }
    public var stage: RuleStage { .discount }

    public init(
        id: String, buy: Int64, free: Int64, lines: LineSelector, rewardLines: LineSelector? = nil, mostExpensiveFirst: Bool = false,
        maximumAmount: Money? = nil, conditions: RuleConditions = RuleConditions(), group: String? = nil
    ) {
        precondition(buy > 0 && free > 0, "a free-items rule counts at least one unit and gives at least one")
        self.id = id
        self.buy = buy
        self.free = free
        self.lines = lines
        self.rewardLines = rewardLines
        self.mostExpensiveFirst = mostExpensiveFirst
        self.maximumAmount = maximumAmount
        self.conditions = conditions
        self.group = group
    }

    public var canonicalDescription: String {
        var settings = "\(buy)+\(free);\(lines.canonicalDescription)"
        if let rewardLines { settings += ";reward=\(rewardLines.canonicalDescription)" }
        if mostExpensiveFirst { settings += ";dearest" }
        if let maximumAmount { settings += ";max=\(maximumAmount.minorUnits)" }
        return canonical(settings)
    }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String {
        guard draft.hasReceiptLines else { return "the till sent no receipt lines to count items on" }
        let counted = draft.lines.indices.filter { lines.matches(sku: draft.lines[$0].sku, category: draft.lines[$0].category) }
        let units = counted.reduce(Int64(0)) { $0 + UnitPrice.wholeUnits(draft.lines[$1]) }
        let sets = rewardLines == nil ? units / (buy + free) : units / buy
        let needed = rewardLines == nil ? buy + free : buy
        guard sets > 0 else { return "needs \(needed) units of \(lines.summary), the receipt has \(units)" }

        let rewards = draft.eligible(rewardLines ?? lines, notExcludedFrom: .discount).filter { draft.lines[$0].remaining > .zero }
        var left = sets * free
        var chosen: [(index: Int, units: Int64)] = []
        for index in UnitPrice.sorted(rewards, mostExpensiveFirst ? .mostExpensive : .cheapest, of: draft) where left > 0 {
            let take = min(left, UnitPrice.wholeUnits(draft.lines[index]))
            guard take > 0 else { continue }
            chosen.append((index, take))
            left -= take
        }
        let what = rewardLines?.summary ?? lines.summary
        guard !chosen.isEmpty else { return "no unit of \(what) on the receipt to give free" }
        let values = chosen.map { UnitPrice.value(of: $0.units, on: draft.lines[$0.index], rounding: context.rounding) }
        let wanted = values.reduce(Money.zero, +)
        let given = draft.takeOff(wanted, over: chosen.map(\.index), weights: values.map(\.minorUnits), maximum: maximumAmount)
        let freeUnits = chosen.reduce(Int64(0)) { $0 + $1.units }
        let short = left > 0 ? " (\(left) more would be free: the receipt holds too few)" : ""
        return "buy \(buy) get \(free) free: \(freeUnits) of \(what) free, \(context.currency.format(wanted))\(short)\(given.note)"
    }
}
