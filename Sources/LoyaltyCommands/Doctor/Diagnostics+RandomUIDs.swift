import LoyaltyStore

extension Diagnostics {
    /// How many members to name in the check's line; the count is always whole.
    static let randomUIDMembersListed = 50

    /// Members enrolled with a random UID (a phone or a bank card, before such UIDs were refused):
    /// they can never be found by that card again. Named by member id only, never by name.
    func randomUIDCarriers(_ store: LoyaltyStore) async -> DoctorCheck {
        let members: [String]
        do {
            members = try await store.membersWithRandomUIDCarriers()
        } catch {
            return .fail("random UIDs", "cannot read the cards: \(error)", remedy: "stop the daemon and restore the latest backup")
        }
        guard !members.isEmpty else { return .pass("random UIDs", "no member's card is a random UID") }
        let listed = members.prefix(Self.randomUIDMembersListed).joined(separator: ", ")
        let more = members.count > Self.randomUIDMembersListed ? " and \(members.count - Self.randomUIDMembersListed) more" : ""
        return .fail(
            "random UIDs",
            "\(members.count) member(s) enrolled with a random UID (a phone or bank card: a new UID on every tap, so never found by it again): \(listed)\(more)",
            remedy: """
                at each one's next visit (found by phone or name at the till), give a loyalty card: loyaltyd card link --member ID \
                --card uid:NEW; then remove the random one, which loyaltyd member show --member ID lists: loyaltyd card unlink --card uid:08…
                """)
    }
}
