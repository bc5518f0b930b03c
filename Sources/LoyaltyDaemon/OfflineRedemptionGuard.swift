import ChainSync
import LoyaltyDomain
import LoyaltyStore
import TillProtocol

/// The offline part of the chain's redemption rule, where the till's requests pass: while the
/// box cannot reach the centre, redemption is capped by the configured
/// ``OfflineRedemptionPolicy``; earning is never limited.
struct OfflineRedemptionGuard: Sendable {
    let link: ChainLink
    let policy: OfflineRedemptionPolicy
    let store: LoyaltyStore

    /// Whether the box is offline now: only then is there anything to check.
    func isOffline(nowMilliseconds: Int64) -> Bool { link.offlineSince(nowMilliseconds: nowMilliseconds) != nil }

    /// Refuses `quote`'s redemption (points and rewards) when it is over what may be spent offline.
    func check(_ quote: Quote, memberID: MemberID, nowMilliseconds: Int64) async throws(RPCError) {
        let points = quote.pointsRedeemed + quote.rewardPoints
        guard points > .zero, let since = link.offlineSince(nowMilliseconds: nowMilliseconds) else { return }
        let already: Points
        do {
            already = try await store.pointsRedeemed(by: memberID, since: since)
        } catch {
            throw RPCError(.storageUnavailable, error.description)
        }
        do {
            try policy.check(points: points, alreadyRedeemed: already, offlineMilliseconds: nowMilliseconds - since)
        } catch {
            throw RPCError(.offlineLimit, error.description)
        }
    }
}
