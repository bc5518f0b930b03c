import Logging
import LoyaltyDomain
import LoyaltyStore

extension LoyaltyStore {
    /// Writes an event log row for the daemon's services. A failure (a full disk) is logged, never
    /// thrown: tills are served and cards read whether or not the event log can be written.
    func record(
        _ kind: String, reader: String? = nil, carrier: Carrier? = nil, memberID: MemberID? = nil, detail: String = "",
        now: Int64, logger: Logger
    ) async {
        do {
            try await logEvent(kind: kind, reader: reader, carrier: carrier, memberID: memberID, detail: detail, nowMilliseconds: now)
        } catch {
            logger.error("cannot write to the event log", metadata: ["reason": "\(error)"])
        }
    }
}
