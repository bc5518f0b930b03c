/// When earned points become spendable and when they expire: first in, first out by earning date.
///
/// Expiry never edits a balance: the store writes one `expire` ledger entry per lot that expires.
public struct PointsExpiryPolicy: Sendable, Hashable {
    /// Points expire this many days after they were earned; `nil`: never.
    public var afterDays: Int?
    /// Earned points become spendable this many days after they were earned.
    public var pendingDays: Int

    public init(afterDays: Int? = nil, pendingDays: Int = 0) {
        self.afterDays = afterDays
        self.pendingDays = pendingDays
    }

    /// When points earned at `now` expire, or `nil` when they never do.
    public func expiry(ofPointsEarnedAt now: Int64) -> Int64? {
        afterDays.map { now + Int64($0) * 86_400_000 }
    }

    /// When points earned at `now` become spendable, or `nil` at once.
    public func availability(ofPointsEarnedAt now: Int64) -> Int64? {
        pendingDays > 0 ? now + Int64(pendingDays) * 86_400_000 : nil
    }

    var canonicalDescription: String { "expiry=\(afterDays.map(String.init) ?? "-"),pending=\(pendingDays)" }

    /// How much of each due lot expires.
    ///
    /// Spending takes the oldest points first, so what is left of the lots up to a lot is all that
    /// was credited through it minus everything ever debited (spent, reversed, expired), and that
    /// remainder, at most the lot itself, is what expires with it.
    public static func expiring(_ state: MemberState) -> [ExpiredLot] {
        var debited = state.credited - state.ledgerBalance
        var result: [ExpiredLot] = []
        for lot in state.dueLots {
            let left = lot.creditedThrough - debited
            let expiring = Points(min(max(left.value, 0), lot.points.value))
            debited += expiring
            result.append(ExpiredLot(lotID: lot.id, points: expiring, expiresAtMilliseconds: lot.expiresAtMilliseconds))
        }
        return result
    }
}
