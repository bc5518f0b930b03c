/// Splits what a purchase gave (points earned, points redeemed, spend) over its refunds in
/// proportion to the money refunded.
///
/// Each refund returns what is owed once it is done minus what was owed before it, both computed
/// from the cumulative amount refunded, so rounding never drifts: refunding a purchase in any number
/// of parts returns exactly what refunding it whole would, and never more than it gave.
public enum RefundCalculator {
    /// The share of `whole` owed back once `refunded` of `basis` has been refunded.
    public static func owed(_ whole: Int64, refunded: Money, basis: Money, rounding: RoundingMode) -> Int64 {
        guard basis.minorUnits > 0 else { return refunded.minorUnits > 0 ? whole : 0 }
        let share = min(max(refunded.minorUnits, 0), basis.minorUnits)
        return Int64(rounding.divide(Int128(whole) * Int128(share), by: Int128(basis.minorUnits)))
    }

    /// What a refund of `refunding`, after `refundedBefore`, returns of `whole`.
    public static func returned(
        _ whole: Int64, refundedBefore: Money, refunding: Money, basis: Money, rounding: RoundingMode
    ) -> Int64 {
        owed(whole, refunded: refundedBefore + refunding, basis: basis, rounding: rounding)
            - owed(whole, refunded: refundedBefore, basis: basis, rounding: rounding)
    }
}
