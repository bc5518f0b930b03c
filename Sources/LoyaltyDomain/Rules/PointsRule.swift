/// Points worth a percentage of what the member paid in money (fixed, by tier, or progressive by
/// accumulated spend), or a number of points per amount paid.
///
/// With `earn_percent: 3` and a point worth 0.01, paying 100.00 earns 300 points: the points are
/// worth 3% of the amount paid.
public struct PointsRule: PricingRule {
    public static let type = "points"

    public enum Earning: Sendable, Hashable {
        case percent(RateSchedule)
        /// `points` for every `amount` paid (rounded by the program's mode).
        case perAmount(amount: Money, points: Points)
        /// The same points for every receipt (a visit), whatever its amount.
        case perPurchase(Points)
    }

    public let id: String
    public let earning: Earning
    public let lines: LineSelector
    public let conditions: RuleConditions
    public let group: String?
    public var type: String { Self.type }
    public var stage: RuleStage { .earning }

    public init(id: String, earning: Earning, lines: LineSelector = .all, conditions: RuleConditions = RuleConditions(), group: String? = nil) {
        self.id = id
        self.earning = earning
        self.lines = lines
        self.conditions = conditions
        self.group = group
    }

    public var canonicalDescription: String {
        let settings = switch earning {
        case .percent(let rate): "percent:\(rate.canonicalDescription)"
        case .perAmount(let amount, let points): "per:\(amount.minorUnits)=\(points.value)"
        case .perPurchase(let points): "purchase:\(points.value)"
        }
        return canonical("\(settings);\(lines.canonicalDescription)")
    }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String {
        let eligible = draft.eligible(lines, notExcludedFrom: .earning)
        let paid = draft.remaining(of: eligible)
        let numerator: Int128
        let denominator: Int128
        let how: String
        switch earning {
        case .percent(let rate):
            switch rate.rate(in: context) {
            case .failure(let unavailable): return unavailable.reason
            case .success(let (percent, text)):
                // points = paid × percent / 100 / point value, in one exact division.
                numerator = Int128(paid.minorUnits) * Int128(percent.millionths)
                denominator = 100 * Int128(Percentage.scale) * Int128(context.pointValue.minorUnits)
                how = text
            }
        case .perAmount(let amount, let points):
            numerator = Int128(paid.minorUnits) * Int128(points.value)
            denominator = Int128(amount.minorUnits)
            how = "\(points) per \(context.currency.format(amount))"
        case .perPurchase(let points):
            guard !eligible.isEmpty else { return "no line on the receipt may earn with this rule" }
            draft.addPoints(points, over: eligible, weights: eligible.map { draft.lines[$0].remaining.minorUnits })
            return "\(points) points per purchase"
        }
        guard !eligible.isEmpty else { return "no line on the receipt may earn with this rule" }
        let points = Points(Int64(context.pointsRounding.divide(numerator, by: denominator)))
        draft.addPoints(points, over: eligible, weights: eligible.map { draft.lines[$0].remaining.minorUnits })
        let paidText = context.currency.format(paid)
        return points == .zero ? "\(how) of \(paidText) paid rounds to no points" : "\(how) of \(paidText) paid"
    }
}

/// Multiplies the points earlier earning rules gave (on some lines, or all): double points on a
/// birthday week, triple on a promoted category.
public struct PointsMultiplierRule: PricingRule {
    public static let type = "points-multiplier"
    public let id: String
    public let multiplier: Multiplier
    public let lines: LineSelector
    public let conditions: RuleConditions
    public let group: String?
    public var type: String { Self.type }
    public var stage: RuleStage { .earning }

    public init(id: String, multiplier: Multiplier, lines: LineSelector = .all, conditions: RuleConditions = RuleConditions(), group: String? = nil) {
        self.id = id
        self.multiplier = multiplier
        self.lines = lines
        self.conditions = conditions
        self.group = group
    }

    public var canonicalDescription: String { canonical("\(multiplier.millionths);\(lines.canonicalDescription)") }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String {
        let eligible = draft.eligible(lines, notExcludedFrom: .earning)
        let base = eligible.reduce(Int64(0)) { $0 + draft.lines[$1].pointsEarned.value }
        guard base > 0 else { return "no points earned so far to multiply" }
        let extra = Points(Int64(context.pointsRounding.divide(
            Int128(base) * Int128(multiplier.millionths - Percentage.scale), by: Int128(Percentage.scale))))
        guard extra > .zero else { return "×\(multiplier) of \(base) points adds nothing" }
        draft.addPoints(extra, over: eligible, weights: eligible.map { draft.lines[$0].pointsEarned.value })
        return "×\(multiplier) of \(base) points"
    }
}

/// A fixed number of points per unit of some products (the "locomotive" product).
public struct ItemPointsRule: PricingRule {
    public static let type = "item-points"
    public let id: String
    public let pointsPerItem: Points
    public let lines: LineSelector
    public let conditions: RuleConditions
    public let group: String?
    public var type: String { Self.type }
    public var stage: RuleStage { .earning }

    public init(id: String, pointsPerItem: Points, lines: LineSelector, conditions: RuleConditions = RuleConditions(), group: String? = nil) {
        self.id = id
        self.pointsPerItem = pointsPerItem
        self.lines = lines
        self.conditions = conditions
        self.group = group
    }

    public var canonicalDescription: String { canonical("\(pointsPerItem.value);\(lines.canonicalDescription)") }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String {
        let eligible = draft.eligible(lines, notExcludedFrom: .earning)
        guard !eligible.isEmpty else { return "no line of \(lines.summary) on the receipt" }
        var units: Int64 = 0
        for index in eligible {
            let points = Int64(context.pointsRounding.divide(
                Int128(pointsPerItem.value) * Int128(draft.lines[index].quantity.millionths), by: Int128(Percentage.scale)))
            draft.lines[index].pointsEarned += Points(points)
            units += draft.lines[index].quantity.millionths
        }
        return "\(pointsPerItem) points per item of \(lines.summary), \(Quantity(millionths: units)) items"
    }
}

/// Points for a member's first purchase, or for enrolling (given by `member.enroll`).
public struct WelcomeBonusRule: PricingRule {
    public static let type = "welcome-bonus"

    public enum Occasion: String, Sendable, Hashable, CaseIterable {
        case enrolment
        case firstPurchase = "first-purchase"
    }

    public let id: String
    public let points: Points
    public let occasion: Occasion
    public let conditions: RuleConditions
    public let group: String?
    public var type: String { Self.type }
    public var stage: RuleStage { .earning }

    public init(id: String, points: Points, occasion: Occasion, conditions: RuleConditions = RuleConditions(), group: String? = nil) {
        self.id = id
        self.points = points
        self.occasion = occasion
        var conditions = conditions
        if occasion == .firstPurchase { conditions.firstPurchaseOnly = true }
        self.conditions = conditions
        self.group = group
    }

    public var canonicalDescription: String { canonical("\(points.value);\(occasion.rawValue)") }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) -> String {
        guard occasion == .firstPurchase else { return "given at enrolment, not on purchases" }
        let indices = Array(draft.lines.indices)
        draft.addPoints(points, over: indices, weights: indices.map { draft.lines[$0].remaining.minorUnits })
        return "welcome bonus for the first purchase"
    }
}

extension PointsRule {
    /// Points worth a fixed percentage of what is paid in money.
    public static func percent(id: String, _ percent: Percentage) -> PointsRule {
        PointsRule(id: id, earning: .percent(.fixed(percent)))
    }
}
