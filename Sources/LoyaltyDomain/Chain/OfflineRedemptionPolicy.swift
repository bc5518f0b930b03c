/// How much a box may let members redeem while it cannot reach the chain's centre.
///
/// Earning is always allowed offline: it only adds facts. Redeeming offline spends a balance other
/// boxes may be spending too, so it is capped; what the whole chain can lose in one outage is at
/// most the boxes' caps added up, and a balance that goes negative centrally blocks redemption
/// until it is positive again. The store's own last known balance is the first limit.
public struct OfflineRedemptionPolicy: Sendable, Hashable {
    /// At most this many points on one purchase while offline.
    public var maximumPerPurchase: Points
    /// At most this many points per member during one outage, all purchases together.
    public var maximumPerMemberPerOutage: Points
    /// After this long offline, no redemption at all (until the centre is reached again).
    public var maximumOutageMilliseconds: Int64

    public init(maximumPerPurchase: Points, maximumPerMemberPerOutage: Points, maximumOutageMilliseconds: Int64) {
        self.maximumPerPurchase = maximumPerPurchase
        self.maximumPerMemberPerOutage = maximumPerMemberPerOutage
        self.maximumOutageMilliseconds = maximumOutageMilliseconds
    }

    /// The defaults documented in config/loyaltyd.yaml: 500 points a purchase, 1,000 a member, 72 hours.
    public static let standard = OfflineRedemptionPolicy(
        maximumPerPurchase: Points(500), maximumPerMemberPerOutage: Points(1_000), maximumOutageMilliseconds: 72 * 3_600_000)

    /// Why a redemption is refused offline.
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        case outageTooLong(hours: Int64)
        case overPurchaseCap(allowed: Points)
        case overMemberCap(allowed: Points)

        public var description: String {
            switch self {
            case .outageTooLong(let hours): "the store has been offline for more than \(hours) hours: no redemption until it reconnects"
            case .overPurchaseCap(let allowed): "offline, at most \(allowed.value) points can be redeemed on one purchase"
            case .overMemberCap(let allowed): "offline, this member can redeem at most \(allowed.value) more points until the store reconnects"
            }
        }
    }

    /// Checks a redemption of `points` (redeem_points and reward points together) while offline.
    /// - Parameters:
    ///   - alreadyRedeemed: what the member redeemed at this box since the outage began.
    ///   - offlineMilliseconds: how long the box has been without the centre.
    public func check(points: Points, alreadyRedeemed: Points, offlineMilliseconds: Int64) throws(Refusal) {
        guard points > .zero else { return }
        guard offlineMilliseconds <= maximumOutageMilliseconds else {
            throw .outageTooLong(hours: maximumOutageMilliseconds / 3_600_000)
        }
        guard points <= maximumPerPurchase else { throw .overPurchaseCap(allowed: maximumPerPurchase) }
        let left = maximumPerMemberPerOutage - alreadyRedeemed
        guard points <= left else { throw .overMemberCap(allowed: max(.zero, left)) }
    }
}
