/// A named rounding rule, as the program's configuration spells it.
///
/// Every division in the rules (a percentage of an amount, money into points) goes through
/// one of these, so the same inputs always give the same result.
public enum RoundingMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// Toward zero: the customer never gets a fraction that was not fully earned.
    case down
    /// Half away from zero: the usual commercial rounding.
    case halfUp = "half-up"
    /// Half to even (banker's rounding): unbiased over many receipts.
    case halfEven = "half-even"

    /// `numerator / denominator`, rounded by this rule. `denominator` must be positive.
    public func divide(_ numerator: Int128, by denominator: Int128) -> Int128 {
        precondition(denominator > 0, "rounding divides by a positive number")
        let quotient = numerator / denominator  // truncates toward zero
        let remainder = numerator % denominator  // has the sign of the numerator
        guard remainder != 0 else { return quotient }
        let awayFromZero: Int128 = numerator < 0 ? -1 : 1
        let twiceRemainder = remainder.magnitude * 2
        switch self {
        case .down:
            return quotient
        case .halfUp:
            return twiceRemainder >= denominator.magnitude ? quotient + awayFromZero : quotient
        case .halfEven:
            if twiceRemainder > denominator.magnitude { return quotient + awayFromZero }
            if twiceRemainder < denominator.magnitude { return quotient }
            return quotient % 2 == 0 ? quotient : quotient + awayFromZero
        }
    }
}
