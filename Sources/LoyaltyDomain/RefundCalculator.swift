/// Splits a purchase's points over its refunds in proportion to the money refunded.
///
/// Each refund computes the cumulative share owed after it and subtracts what earlier refunds
/// already returned, so rounding never drifts: refunding a purchase in any number of parts
/// returns exactly what refunding it whole would.
public enum RefundCalculator {
    /// Points to return now.
    /// - Parameters:
    ///   - points: what the purchase earned (or redeemed) in all.
    ///   - alreadyReturned: what earlier refunds of this purchase returned.
    ///   - refundedBefore: money refunded by earlier refunds.
    ///   - refunding: money this refund returns.
    ///   - basis: the purchase total the refunds are measured against.
    public static func pointsToReturn(
        of points: Points, alreadyReturned: Points, refundedBefore: Money, refunding: Money,
        basis: Money, rounding: RoundingMode
    ) -> Points {
        guard basis.minorUnits > 0 else { return points - alreadyReturned }
        let refundedAfter = min(refundedBefore + refunding, basis)
        let owed = rounding.divide(
            Int128(points.value) * Int128(refundedAfter.minorUnits), by: Int128(basis.minorUnits))
        let now = Int64(owed) - alreadyReturned.value
        return Points(min(max(now, 0), points.value - alreadyReturned.value))
    }
}
