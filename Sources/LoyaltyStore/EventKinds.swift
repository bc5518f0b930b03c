import GRDB

/// The kinds of event this version writes to the event log, for `loyaltyd log --kind` to check a
/// kind against (a mistyped kind is an error listing these, not an empty answer).
public enum EventKinds {
    public static let known: [String] = [
        "bank_cards_masked",
        "card.block", "card.link", "card.read", "card.unblock", "card.unlink",
        "config.reload_refused", "config.reloaded",
        "daemon.start", "daemon.stop",
        "member.add", "member.block", "member.enroll", "member.import", "member.merge", "member.unblock",
        "reader.added", "reader.removed", "reader.service_unavailable", "reader.unusable",
        "till.refused",
    ]
}

extension LoyaltyStore {
    /// Every kind the event log holds (an older or newer version may have written others than ``EventKinds/known``).
    public func eventKindsLogged() async throws(StoreError) -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT DISTINCT kind FROM events ORDER BY kind") }
    }
}
