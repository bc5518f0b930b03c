/// Member levels ("silver", "gold") by spend or visits over a rolling window.
///
/// A member is at the highest level whose threshold the window supports, evaluated whenever the
/// member is seen: an upgrade counts from the next purchase, and a member who stopped coming is
/// already at the lower level when next seen.
public struct TierLadder: Sendable, Hashable {
    public enum Basis: String, Sendable, Hashable, CaseIterable {
        case visits
        case spend
    }

    public struct Level: Sendable, Hashable {
        public var name: String
        /// Visits, or spend in minor units.
        public var threshold: Int64

        public init(name: String, threshold: Int64) {
            self.name = name
            self.threshold = threshold
        }
    }

    public var basis: Basis
    /// Counted over the last this many days (the current day included); `nil`: all time.
    public var windowDays: Int?
    /// Ascending thresholds.
    public var levels: [Level]
    /// Which tier a receipt gets: `false` (the default) the tier before it; `true` the tier reached
    /// with it, counting its total and its visit (ERPNext's way). Lookups always show the tier before.
    public var includesThisReceipt: Bool

    public init(basis: Basis, windowDays: Int?, levels: [Level], includesThisReceipt: Bool = false) {
        self.basis = basis
        self.windowDays = windowDays
        self.levels = levels.sorted { $0.threshold < $1.threshold }
        self.includesThisReceipt = includesThisReceipt
    }

    /// The level a receipt of `total` gets, by ``includesThisReceipt``.
    public func level(for state: MemberState, receiptTotal total: Money) -> String? {
        guard includesThisReceipt else { return level(for: state) }
        var with = state
        with.windowSpend += total
        with.windowVisits += 1
        return level(for: with)
    }

    /// The member's level, or `nil` below the first.
    public func level(for state: MemberState) -> String? {
        let value = basis == .visits ? state.windowVisits : state.windowSpend.minorUnits
        return levels.last { $0.threshold <= value }?.name
    }

    var canonicalDescription: String {
        "tiers=\(basis.rawValue),\(windowDays.map(String.init) ?? "-")," + levels.map { "\($0.name):\($0.threshold)" }.joined(separator: ",")
            + (includesThisReceipt ? ",with-receipt" : "")
    }
}
