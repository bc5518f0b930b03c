import LoyaltyDomain

/// A sale a till made without a member (`sale.record`): reports need it for the members' share
/// of all sales.
public struct SaleRecord: Sendable, Hashable {
    public var tillID: String
    public var transactionID: String
    /// The receipt total, as for a purchase: 0 ≤ total ≤ `max_total`.
    public var total: Money

    public init(tillID: String, transactionID: String, total: Money) {
        self.tillID = tillID
        self.transactionID = transactionID
        self.total = total
    }
}

extension TillCall {
    /// `sale.record`'s parameters: `till_id`, `transaction_id`, `total`.
    static func saleRecord(_ params: JSONValue?, limits: Limits) throws(RPCError) -> SaleRecord {
        let reader = try ParameterReader(params, allowed: ["till_id", "transaction_id", "total"])
        let total = try reader.money("total", currency: limits.currency)
        guard total >= .zero else { throw .invalidParams("total: must not be negative") }
        guard total <= limits.maximumTotal else {
            throw .invalidParams("total: \(limits.currency.format(total)) is above the configured maximum of \(limits.currency.format(limits.maximumTotal))")
        }
        return SaleRecord(
            tillID: try reader.identifier("till_id", .tillID), transactionID: try reader.identifier("transaction_id", .transactionID), total: total)
    }
}
