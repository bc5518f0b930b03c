import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import Testing

/// Member merges against the rules engine's bookkeeping: expiry lots, spend and visits.
@Suite struct MemberCareStoreTests {
    let directory: TemporaryDirectory
    let store: LoyaltyStore
    /// 3 % in points, a point worth 0.01, points expiring after 30 days.
    let program = LoyaltyProgram(
        rules: [PointsRule.percent(id: "p", Percentage(millionths: 3_000_000))], rounding: .halfUp, pointValue: Money(minorUnits: 1),
        policies: ProgramPolicies(expiry: PointsExpiryPolicy(afterDays: 30)))
    let day: Int64 = 86_400_000

    init() throws {
        directory = try TemporaryDirectory()
        store = try LoyaltyStore(path: directory.file("db.sqlite"), storeID: "s1")
    }

    func add(_ barcode: String) async throws -> MemberID {
        try await store.addMember(
            Enrolment(carrier: try Carrier(kind: .barcode, value: barcode), name: nil, phone: nil, birthday: nil, consentAtMilliseconds: nil),
            group: nil, nowMilliseconds: 0)
    }

    func commit(_ transaction: String, _ member: MemberID, total: Int64, redeem: Int64 = 0, at time: Int64) async throws {
        let request = PurchaseRequest(
            tillID: "lane-1", transactionID: transaction, member: .id(member), total: Money(minorUnits: total), redeemPoints: Points(redeem))
        _ = try await store.commit(request, program: program, nowMilliseconds: time) { quote, _ in "\(quote.pointsEarned.value)" }
    }

    func expiring(_ member: MemberID, at time: Int64) async throws -> Points {
        let state = try await store.memberState(.id(member), windowDays: nil, nowMilliseconds: time)
        return PointsExpiryPolicy.expiring(state).reduce(Points.zero) { $0 + $1.points }
    }

    @Test func mergedPointsAreNotEatenByTheSurvivorsSpentLotsWhenTheyExpire() async throws {
        let survivor = try await add("111")
        let merged = try await add("222")
        try await commit("T1", survivor, total: 10_000, at: 0)  // 300 points, expiring on day 30
        try await commit("T2", survivor, total: 300, redeem: 300, at: 1_000)  // all spent
        try await commit("T3", merged, total: 10_000, at: 2_000)  // 300 points
        let outcome = try await store.merge(merged, into: survivor, rulesVersion: program.version, nowMilliseconds: day)
        #expect(outcome.pointsMoved == Points(300))
        #expect(outcome.survivorBalance == Points(300))

        // On day 31 the survivor's first lot is due, but it was spent: nothing of the moved points expires.
        #expect(try await expiring(survivor, at: 31 * day) == .zero)
        #expect(try await expiring(merged, at: 31 * day) == .zero, "the merged member has nothing left to expire")

        let survivorState = try await store.memberState(.id(survivor), windowDays: nil, nowMilliseconds: 2 * day)
        let mergedState = try await store.memberState(.id(merged), windowDays: nil, nowMilliseconds: 2 * day)
        #expect(survivorState.lifetimeVisits == 3, "the merged member's purchase counts for the survivor's tier")
        #expect(survivorState.lifetimeSpend == Money(minorUnits: 10_000 + 300 + 10_000))
        #expect(mergedState.lifetimeVisits == 0)
        #expect(try await store.verify().isClean)
    }

    @Test func pointsPastTheirExpiryAreWrittenOffBeforeTheyMove() async throws {
        let survivor = try await add("111")
        let merged = try await add("222")
        try await commit("T1", merged, total: 10_000, at: 0)  // 300 points, expiring on day 30
        let outcome = try await store.merge(merged, into: survivor, rulesVersion: program.version, nowMilliseconds: 40 * day)
        #expect(outcome.pointsMoved == .zero)
        #expect(try await store.memberDetail(.id(merged), ledgerLimit: 5).recentLedger.map(\.kind) == [.expire, .earn])
        #expect(try await store.verify().isClean)
    }
}
