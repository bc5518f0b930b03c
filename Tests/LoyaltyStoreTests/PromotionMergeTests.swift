import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import Testing

/// `member merge` moves the promotion uses with the purchases: the survivor's per-member limits
/// count what the member merged away used (issue 16).
@Suite struct PromotionMergeTests {
    @Test func theSurvivorCountsTheMergedMembersUses() async throws {
        // The opening offer serves each member once (max_uses_per_member: 1), 100 receipts in all.
        let harness = try RulesHarness(example: "usage-limits")
        let merged = try await harness.enroll("M1")
        let survivor = try await harness.enroll("M2")
        #expect(try await harness.commit(try harness.request("M1", "T1", total: "60.00")).promotionUses
            == [PromotionUse(ruleID: "opening-offer", code: nil)])
        // Before the merge the survivor has not used it: 15.00 off.
        #expect(try await harness.quote(try harness.request("M2", total: "60.00")).discount == harness.money("15.00"))

        _ = try await harness.store.merge(merged, into: survivor, rulesVersion: harness.program.version, nowMilliseconds: harness.now)
        let after = try await harness.quote(try harness.request("M2", total: "60.00"))
        #expect(after.discount == .zero, "the merged member's use is the survivor's now")
        #expect(after.rules[0].note == "the member used it 1 of 1 times")
        // The use still counts once in all, and a whole refund of the merged member's receipt gives it back to the survivor.
        _ = try await harness.refund("T1", "R1")
        #expect(try await harness.quote(try harness.request("M2", total: "60.00")).discount == harness.money("15.00"))
        #expect(try await harness.store.verify().isClean)
        // The counts the limits read (kept by triggers) equal the uses that stand, through the use,
        // the merge and the return.
        let sqlite = SQLiteShell(path: harness.store.path)
        #expect(sqlite.run("SELECT rule_id, member_id, uses FROM promotion_use_counts WHERE uses > 0 ORDER BY 1, 2;")
            == sqlite.run("SELECT rule_id, member_id, COUNT(*) FROM promotion_uses WHERE state = 'used' GROUP BY 1, 2 ORDER BY 1, 2;"))
        #expect(sqlite.run("SELECT SUM(uses) FROM promotion_use_counts WHERE member_id = '\(merged)';").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
