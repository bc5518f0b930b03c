import LoyaltyDomain

/// Why the store refused an operation. Each case maps to one documented till error.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownMember
    case unknownCard(Carrier)
    case carrierInUse(Carrier)
    /// A carrier no member may have (a random UID): ``CarrierRefusal``.
    case carrierRefused(CarrierRefusal)
    case memberBlocked
    case cardBlocked(CarrierStatus)
    case transactionConflict
    case transactionVoided
    case alreadyCommitted
    case purchaseNotFound
    case refundExceedsPurchase(remaining: Money)
    case refundConflict
    /// A refund by lines names lines the purchase does not have (or has nothing left of), or names a
    /// reward with an amount or after it was returned.
    case refundLinesUnknown(String)
    case quote(QuoteError)
    /// The disk is full, read-only or failing; reads still work.
    case storageUnavailable(String)

    public var description: String {
        switch self {
        case .unknownMember: "no such member"
        case .unknownCard(let carrier): "unknown card \(carrier.masked)"
        case .carrierInUse(let carrier): "\(carrier.masked) is already linked to a member"
        case .carrierRefused(let refusal): refusal.description
        case .memberBlocked: "the member is blocked"
        case .cardBlocked(let status): "the card is \(status.rawValue)"
        case .transactionConflict: "this till_id and transaction_id were already committed with different content"
        case .transactionVoided: "this transaction was voided"
        case .alreadyCommitted: "this transaction is committed: use purchase.refund"
        case .purchaseNotFound: "no committed purchase with this till_id and transaction_id"
        case .refundExceedsPurchase: "the refund is larger than what remains of the purchase"
        case .refundConflict: "this refund_id was already used with different content"
        case .refundLinesUnknown(let why): "cannot refund these lines: \(why)"
        case .quote(let error): error.description
        case .storageUnavailable(let why): "the database cannot be written: \(why)"
        }
    }
}
