/// Why a refund cannot be planned.
public enum RefundError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The refund asks for more money than remains of the purchase, or returns nothing at all.
    case exceedsPurchase(remaining: Money)
    /// A refund by lines names a SKU the purchase does not have, nothing is left of it, or a reward
    /// is named with an amount or a second time.
    case linesUnknown(String)

    public var description: String {
        switch self {
        case .exceedsPurchase: "the refund is larger than what remains of the purchase"
        case .linesUnknown(let why): "cannot refund these lines: \(why)"
        }
    }
}
