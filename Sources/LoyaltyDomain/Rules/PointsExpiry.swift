/// When earned points become spendable and when they expire: first in, first out by earning date.
///
/// Expiry never edits a balance: the store writes one `expire` ledger entry per lot that expires.
public struct PointsExpiryPolicy: Sendable, Hashable {
    /// Points expire this many days after they were earned; `nil`: never.
    public var afterDays: Int?
    /// Earned points become spendable this many days after they were earned.
    public var pendingDays: Int
    /// `nil`: points expire at the instant `afterDays` × 24 h after earning (the default); a zone:
    /// at the end of that day in the store's time zone, that is at the next local midnight.
    public var endOfDayIn: StoreTimeZone?

    public init(afterDays: Int? = nil, pendingDays: Int = 0, endOfDayIn: StoreTimeZone? = nil) {
        self.afterDays = afterDays
        self.pendingDays = pendingDays
        self.endOfDayIn = endOfDayIn
    }

    /// When points earned at `now` expire, or `nil` when they never do.
    public func expiry(ofPointsEarnedAt now: Int64) -> Int64? {
        guard let afterDays else { return nil }
        let instant = now + Int64(afterDays) * 86_400_000
        guard let zone = endOfDayIn else { return instant }
        return Self.nextLocalMidnight(after: instant, in: zone)
    }

    /// The first instant of the local day after the one `instant` falls on.
    static func nextLocalMidnight(after instant: Int64, in zone: StoreTimeZone) -> Int64 {
        let midnight = (zone.localTime(atMilliseconds: instant).date.daysSinceEpoch + 1) * 86_400_000
        func seconds(_ milliseconds: Int64) -> Int64 { milliseconds >= 0 ? milliseconds / 1_000 : -((-milliseconds + 999) / 1_000) }
        // The offset at midnight may differ from the one at `instant` (a clock change that day).
        let first = midnight - Int64(zone.offsetSeconds(at: seconds(instant))) * 1_000
        return midnight - Int64(zone.offsetSeconds(at: seconds(first))) * 1_000
    }

    /// When points earned at `now` become spendable, or `nil` at once.
    public func availability(ofPointsEarnedAt now: Int64) -> Int64? {
        pendingDays > 0 ? now + Int64(pendingDays) * 86_400_000 : nil
    }

    var canonicalDescription: String {
        "expiry=\(afterDays.map(String.init) ?? "-"),pending=\(pendingDays)" + (endOfDayIn == nil ? "" : ",at=end-of-day")
    }

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
