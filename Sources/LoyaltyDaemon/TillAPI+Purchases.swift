import LoyaltyDomain
import LoyaltyStore
import TillProtocol

extension TillAPI {
    /// `purchase.commit`: the result is encoded once, stored with the purchase in the same
    /// transaction, and sent as stored, to the first call and to every retry.
    func commit(_ request: PurchaseRequest, now: Int64) async throws(RPCError) -> RPCResult {
        let configuration = configuration.value
        let encoder = TillResultEncoder(currency: configuration.currency)
            // Online (the usual case) a commit is not quoted twice.
            if let offline, request.redeemPoints > .zero || !request.rewards.isEmpty, offline.isOffline(nowMilliseconds: now) {
                // A retry of a commit already made is answered as before; anything new is checked.
                if let quoted = try? await store.quote(request, program: configuration.program, nowMilliseconds: now) {
                    try await offline.check(quoted.0, memberID: quoted.1, nowMilliseconds: now)
                }
            }
            let outcome = try await mapped { () async throws(StoreError) in
                try await store.commit(request, program: configuration.program, nowMilliseconds: now) { quote, memberID in
                    JSONWriter.string(of: encoder.quote(quote, memberID: memberID))
                }
            }
            logger.info(
                outcome.isFirstCommit ? "purchase committed" : "purchase commit retried: first result returned, nothing awarded",
                metadata: ["till": "\(request.tillID)", "transaction": "\(request.transactionID)", "member": "\(outcome.memberID)"])
            return .encoded(outcome.result)
    }

    /// `purchase.refund`: like a commit, the result is stored with the refund and sent as stored.
    func refund(_ refund: RefundRequest, now: Int64) async throws(RPCError) -> RPCResult {
        let configuration = configuration.value
        let encoder = TillResultEncoder(currency: configuration.currency)
            if let offline, refund.tillID.contains(":"), offline.isOffline(nowMilliseconds: now) {
                // `<store id>:<till id>` names another store's purchase: that store may be refunding
                // it too, and only the centre can tell.
                throw RPCError(.chainOffline, "this purchase was made in another store and the chain's centre cannot be reached; refund it there, or once this store is online")
            }
            let outcome = try await mapped { () async throws(StoreError) in
                try await store.refund(
                    tillID: refund.tillID, transactionID: refund.transactionID, refundID: refund.refundID,
                    scope: RefundScope(amount: refund.amount, lines: refund.lines.map { ($0.sku, $0.amount) }),
                    program: configuration.program, nowMilliseconds: now
                ) { settlement in
                    JSONWriter.string(of: encoder.refund(settlement, refundID: refund.refundID))
                }
            }
            logger.info(
                outcome.isFirstRefund ? "purchase refunded" : "refund retried: first result returned",
                metadata: ["till": "\(refund.tillID)", "transaction": "\(refund.transactionID)", "refund": "\(refund.refundID)"])
            return .encoded(outcome.result)
    }
}
