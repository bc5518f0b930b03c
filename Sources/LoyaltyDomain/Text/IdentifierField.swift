/// The identifiers that reach the program from outside (tills, readers, technician commands, the
/// member list, the chain), each with its documented maximum length in UTF-8 bytes.
///
/// The raw value is the name a till or a technician sees in an error, so a refusal names the field
/// as the protocol and the commands spell it.
public enum IdentifierField: String, Sendable, Hashable, CaseIterable {
    case tillID = "till_id"
    case transactionID = "transaction_id"
    case refundID = "refund_id"
    case memberID = "member_id"
    case sku
    case category
    case group
    case carrierValue = "value"
    /// A promotion code typed or scanned at the till (`codes[i]`), or named by a rule's `when.code`.
    case promotionCode = "code"

    /// The longest value accepted, in UTF-8 bytes (docs/protocol.md §3.2 lists the same numbers).
    public var maximumBytes: Int {
        switch self {
        case .tillID, .sku, .category, .group, .promotionCode: 64
        case .transactionID, .refundID, .memberID, .carrierValue: 128
        }
    }
}
