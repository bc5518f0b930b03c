#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LoyaltyConfiguration.ReaderOptions {
    /// Whether a contactless reader is used, and for which till. With no lanes configured every
    /// reader is used and serves every till; otherwise the first entry that matches decides (`config
    /// check` lets no two entries match one reader). An entry naming a serial number or port matches
    /// only a reader known to have it.
    public func contactlessLaneFor(_ reader: String, serialNumber: String? = nil, portPath: String? = nil) -> (used: Bool, tillID: String?) {
        guard !contactlessLanes.isEmpty else { return (true, nil) }
        guard let lane = contactlessLanes.first(where: { $0.matches(reader, serialNumber: serialNumber, portPath: portPath) }) else {
            return (false, nil)
        }
        return (true, lane.tillID)
    }
}

extension LoyaltyConfiguration.Lane {
    /// Whether the reader named `reader`, with this serial number and port (`nil`: unknown), is this lane's.
    public func matches(_ reader: String, serialNumber: String?, portPath: String?) -> Bool {
        fnmatch(pattern, reader, 0) == 0
            && self.serialNumber.map { $0 == serialNumber } ?? true
            && self.portPath.map { $0 == portPath } ?? true
    }
}
