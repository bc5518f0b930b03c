/// Points worth a percentage of what the member paid in money.
///
/// With `earn_percent: 3` and a point worth 1.00, paying 100.00 earns 3 points; with a point
/// worth 0.01 it earns 300. Either way the points are worth 3% of the amount paid.
public struct PointsEarningRule: PricingRule {
    public static let type = "points"
    public let id: String
    public let percent: Percentage
    public var stage: RuleStage { .earning }

    public init(id: String, percent: Percentage) {
        self.id = id
        self.percent = percent
    }

    public var canonicalDescription: String { "\(Self.type):\(id):\(percent.millionths)" }

    public func apply(to draft: inout QuoteDraft, in context: RuleContext) {
        let paid = draft.payable
        // points = paid × percent / 100 / pointValue, in one exact division.
        let numerator = Int128(paid.minorUnits) * Int128(percent.millionths)
        let denominator = 100 * Int128(Percentage.scale) * Int128(context.pointValue.minorUnits)
        let points = Points(Int64(context.rounding.divide(numerator, by: denominator)))
        draft.pointsEarned += points
        let note = points == .zero ? "\(percent)% of the amount paid rounds to no points" : "\(percent)% of the amount paid"
        draft.applied.append(AppliedRule(id: id, type: Self.type, points: points, note: note))
    }
}
