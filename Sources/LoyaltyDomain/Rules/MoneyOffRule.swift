/// A fixed amount off the receipt (or off some of its lines): "10.00 off over 100.00" with
/// `when.min_total`, or with a code. Spread over the lines it may discount in proportion to what
/// remains of each (largest remainder), never more than they still cost, within the program's cap.
public struct MoneyOffRule: PricingRule {
    public static let type = "money-off"
    public let id: String
    public let amount: Money
    public let lines: LineSelector
    public let conditions: RuleConditions
    public let group: String?
    public var type: String { Self.type }
    public var stage: RuleStage { .discount }

    public init(id: String, amount: Money, lines: LineSelector = .all, conditions: RuleConditions = RuleConditions(), group: String? = nil) {
        self.id = id
        self.amount = amount
        self.lines = lines
        self.conditions = conditions
        self.group = group
    }

    public var canonicalDescription: String { canonical("\(amount.minorUnits);\(lines.canonicalDescription)") }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String {
        let eligible = draft.eligible(lines, notExcludedFrom: .discount)
        let base = draft.remaining(of: eligible)
        guard base > .zero else {
            return lines.isAll ? "nothing left to discount" : "no line of \(lines.summary) on the receipt to discount"
        }
        let given = draft.takeOff(amount, over: eligible, weights: eligible.map { draft.lines[$0].remaining.minorUnits }, maximum: nil)
        let cut = given.amount < amount && given.note.isEmpty ? ", cut to what the lines cost" : given.note
        return "\(context.currency.format(amount)) off \(context.currency.format(base))\(cut)"
    }
}
