import LoyaltyStore
import TillProtocol

extension TillAPI {
    /// `sale.record`: a sale without a member, kept for the members' share in reports.
    func record(_ sale: SaleRecord, now: Int64) async throws(RPCError) -> JSONValue {
        do {
            let recorded = try await store.recordSale(
                tillID: sale.tillID, transactionID: sale.transactionID, total: sale.total, nowMilliseconds: now)
            return TillResultEncoder(currency: configuration.value.currency).saleRecorded(alreadyRecorded: !recorded)
        } catch {
            switch error {
            case .transactionConflict:
                throw RPCError(.transactionConflict, "this till_id and transaction_id were already recorded with another total")
            case .alreadyCommitted:
                throw RPCError(.alreadyCommitted, "this transaction is committed as a member purchase; it is counted there")
            case .storageUnavailable(let why):
                logger.error("database write failed", metadata: ["reason": "\(why)"])
                fallthrough
            default:
                throw Self.rpcError(for: error, encoder: TillResultEncoder(currency: configuration.value.currency))
            }
        }
    }
}
