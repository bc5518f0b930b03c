#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LoyaltyConfiguration.ReaderOptions {
    /// Whether a contactless reader is used, and for which till. With no lanes configured every
    /// reader is used and serves every till; otherwise the first pattern that matches decides.
    public func contactlessLaneFor(_ reader: String) -> (used: Bool, tillID: String?) {
        guard !contactlessLanes.isEmpty else { return (true, nil) }
        guard let lane = contactlessLanes.first(where: { fnmatch($0.pattern, reader, 0) == 0 }) else { return (false, nil) }
        return (true, lane.tillID)
    }
}
