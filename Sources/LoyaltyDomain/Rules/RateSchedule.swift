/// The percentage a discount or points rule gives: fixed, by the member's tier, or growing in
/// steps with the member's accumulated spend (a progressive program).
public enum RateSchedule: Sendable, Hashable {
    case fixed(Percentage)
    case byTier([String: Percentage])
    /// Ascending spend thresholds (accumulated spend before this purchase, all time).
    case bySpend([SpendStep])

    public struct SpendStep: Sendable, Hashable {
        public var from: Money
        public var percent: Percentage

        public init(from: Money, percent: Percentage) {
            self.from = from
            self.percent = percent
        }
    }

    /// The rate for this member, or why there is none.
    func rate(in context: RuleContext) -> Result<(Percentage, String), RateUnavailable> {
        switch self {
        case .fixed(let percent):
            return .success((percent, "\(percent)%"))
        case .byTier(let rates):
            guard let tier = context.tier else { return .failure(RateUnavailable("the member has no tier yet")) }
            guard let percent = rates[tier] else { return .failure(RateUnavailable("no rate for tier \(tier)")) }
            return .success((percent, "\(percent)% for tier \(tier)"))
        case .bySpend(let steps):
            let spend = context.member.lifetimeSpend
            guard let step = steps.last(where: { $0.from <= spend }) else {
                return .failure(RateUnavailable("accumulated spend \(context.currency.format(spend)) is below the first step"))
            }
            return .success((step.percent, "\(step.percent)% at accumulated spend \(context.currency.format(spend))"))
        }
    }

    var canonicalDescription: String {
        switch self {
        case .fixed(let percent): "\(percent.millionths)"
        case .byTier(let rates): "tier:" + rates.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.millionths)" }.joined(separator: ",")
        case .bySpend(let steps): "spend:" + steps.map { "\($0.from.minorUnits)=\($0.percent.millionths)" }.joined(separator: ",")
        }
    }
}

struct RateUnavailable: Error {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
