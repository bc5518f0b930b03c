import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport
import Testing

/// The store against a real SQLite file in a temporary directory.
@Suite struct LoyaltyStoreTests {
    let directory: TemporaryDirectory
    let store: LoyaltyStore
    let program = LoyaltyProgram(
        rules: [DiscountRule.fixed(id: "d", percent: Percentage(millionths: 5_000_000)), PointsRule.percent(id: "p", Percentage(millionths: 3_000_000))],
        rounding: .halfUp, pointValue: Money(minorUnits: 1))
    let card = try! Carrier(kind: .uid, value: "04A1B2C3D4E5F6")

    init() throws {
        directory = try TemporaryDirectory()
        store = try LoyaltyStore(path: directory.file("db.sqlite"), storeID: "s1")
    }

    func purchase(_ transaction: String, total: Int64, redeem: Int64 = 0) -> PurchaseRequest {
        PurchaseRequest(tillID: "lane-1", transactionID: transaction, member: .carrier(card), total: Money(minorUnits: total), redeemPoints: Points(redeem))
    }

    func commit(_ request: PurchaseRequest) async throws -> CommitOutcome {
        try await store.commit(request, program: program, nowMilliseconds: 1_000) { quote, _ in "\(quote.pointsEarned.value)" }
    }

    func enroll() async throws -> MemberSummary {
        try await store.enroll(Enrolment(carrier: card, name: "Anna", phone: nil, birthday: nil, consentAtMilliseconds: 1), nowMilliseconds: 1)
    }

    @Test func enrolsAndFindsByCarrierAndRefusesALinkedCarrier() async throws {
        let member = try await enroll()
        #expect(try await store.memberView(.carrier(card), program: program, nowMilliseconds: 1_000).id == member.id)
        #expect(try await store.memberView(.id(member.id), program: program, nowMilliseconds: 1_000).name == "Anna")
        await #expect(throws: StoreError.carrierInUse(card)) { _ = try await enroll() }
        let unknown = try Carrier(kind: .barcode, value: "999")
        await #expect(throws: StoreError.unknownCard(unknown)) { _ = try await store.memberView(.carrier(unknown), program: program, nowMilliseconds: 1_000) }
    }

    @Test func aCommitIsIdempotentAndRefusesDifferentContent() async throws {
        _ = try await enroll()
        let first = try await commit(purchase("T1", total: 10_000))
        let retry = try await commit(purchase("T1", total: 10_000))
        #expect(first.isFirstCommit && !retry.isFirstCommit)
        #expect(first.result == retry.result)
        await #expect(throws: StoreError.transactionConflict) { _ = try await commit(purchase("T1", total: 10_001)) }
        // 100.00 - 5% = 95.00 paid, 3% = 2.85 → 285 points at 0.01 a point.
        #expect(try await store.memberView(.carrier(card), program: program, nowMilliseconds: 1_000).balance == Points(285))
        #expect(try await store.ledger(of: first.memberID).count == 1)
    }

    @Test func concurrentCommitsOfOneTransactionResolveToOne() async throws {
        _ = try await enroll()
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { try await commit(purchase("T1", total: 10_000)).isFirstCommit } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await store.memberView(.carrier(card), program: program, nowMilliseconds: 1_000).balance == Points(285))
    }

    @Test func aFailingWriteInAGroupCommitLeavesTheOthersWritten() async throws {
        _ = try await enroll()
        _ = try await commit(purchase("T0", total: 100))
        // Commits arriving together share transactions; the conflicting ones fail alone.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 1...30 {
                group.addTask {
                    let request = index % 3 == 0 ? purchase("T0", total: 999) : purchase("T\(index)", total: 10_000)
                    return (try? await commit(request)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 20)
        #expect(try await store.memberView(.carrier(card), program: program, nowMilliseconds: 1_000).balance == Points(3 + 20 * 285))
        #expect(try await store.verify().isClean)
    }

    @Test func voidBlocksALateCommitAndCannotUndoACommit() async throws {
        _ = try await enroll()
        #expect(try await store.void(tillID: "lane-1", transactionID: "T9", nowMilliseconds: 1))
        #expect(try await !store.void(tillID: "lane-1", transactionID: "T9", nowMilliseconds: 1))
        await #expect(throws: StoreError.transactionVoided) { _ = try await commit(purchase("T9", total: 100)) }
        _ = try await commit(purchase("T1", total: 100))
        await #expect(throws: StoreError.alreadyCommitted) { _ = try await store.void(tillID: "lane-1", transactionID: "T1", nowMilliseconds: 1) }
    }

    @Test func refundsReverseInProportionAndAddUpToTheWhole() async throws {
        _ = try await enroll()
        _ = try await commit(purchase("T1", total: 10_000))  // +285
        _ = try await commit(purchase("T2", total: 10_000, redeem: 100))  // -100, pays 94.00 → +282
        #expect(try await store.memberView(.carrier(card), program: program, nowMilliseconds: 1_000).balance == Points(285 - 100 + 282))

        func refund(_ id: String, _ amount: Int64?) async throws -> RefundOutcome {
            try await store.refund(
                tillID: "lane-1", transactionID: "T2", refundID: id, scope: RefundScope(amount: amount.map { Money(minorUnits: $0) }),
                program: program, nowMilliseconds: 2
            ) { settlement in "\(settlement.pointsReversed.value)/\(settlement.pointsRestored.value)" }
        }
        #expect(try await refund("R1", 3_000).result == "85/30")  // 30%: 84.6 → 85 reversed, 30 restored
        #expect(try await refund("R1", 3_000).isFirstRefund == false)
        await #expect(throws: StoreError.refundConflict) { _ = try await refund("R1", 100) }
        await #expect(throws: StoreError.refundExceedsPurchase(remaining: Money(minorUnits: 7_000))) { _ = try await refund("R2", 7_001) }
        #expect(try await refund("R2", nil).result == "197/70")  // the rest: 282 - 85, 100 - 30
        await #expect(throws: StoreError.refundExceedsPurchase(remaining: .zero)) { _ = try await refund("R3", nil) }
        // Back to where T1 alone left the member.
        #expect(try await store.memberView(.carrier(card), program: program, nowMilliseconds: 1_000).balance == Points(285))
        #expect(try await store.verify().isClean)
    }

    @Test func theLedgerIsAppendOnly() async throws {
        _ = try await enroll()
        _ = try await commit(purchase("T1", total: 10_000))
        let sqlite = SQLiteShell(path: directory.file("db.sqlite"))
        #expect(sqlite.run("UPDATE ledger SET points = 1000000;").contains("append-only"))
        #expect(sqlite.run("DELETE FROM ledger;").contains("append-only"))
        #expect(try await store.memberView(.carrier(card), program: program, nowMilliseconds: 1_000).balance == Points(285))
    }

    @Test func verifyFindsACachedBalanceThatDisagreesWithTheLedger() async throws {
        let member = try await enroll()
        _ = try await commit(purchase("T1", total: 10_000))
        #expect(try await store.verify().isClean)
        _ = SQLiteShell(path: directory.file("db.sqlite")).run("UPDATE balances SET points = points + 1;")
        let report = try await store.verify()
        #expect(!report.isClean)
        #expect(report.mismatches == [.init(memberID: member.id, cached: Points(286), ledger: Points(285))])
    }

    @Test func theDatabaseIsDurable() async throws {
        let sqlite = SQLiteShell(path: directory.file("db.sqlite"))
        #expect(sqlite.run("PRAGMA journal_mode;").trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        #expect(try store.pendingMigrations().isEmpty)
        #expect(try store.writerSynchronousMode() == 2, "synchronous=FULL on the connection that commits")
    }

    @Test func commitsLeaveTheWALToTheBackgroundCheckpoint() async throws {
        _ = try await enroll()
        for number in 0..<200 { _ = try await commit(purchase("W\(number)", total: 1_000)) }
        let sqlite = SQLiteShell(path: directory.file("db.sqlite"))
        // 200 commits write well over SQLite's default of 1,000 WAL pages: none checkpointed inside a commit.
        let before = try await store.checkpointInBackground()
        #expect(before.walFrames > 1_000, "the commits' pages are all still in the WAL")
        #expect(before.checkpointedFrames == before.walFrames, "the background checkpoint copies every committed page")
        let again = try await store.checkpointInBackground()
        #expect(again.checkpointedFrames == again.walFrames)
        #expect(sqlite.run("SELECT COUNT(*) FROM purchases;").trimmingCharacters(in: .whitespacesAndNewlines) == "200")
    }

    @Test func eventsKeepOnlyTheMaskedCarrier() async throws {
        try await store.logEvent(kind: "card.read", reader: "r1", carrier: card, detail: "", nowMilliseconds: 5)
        let events = try await store.events()
        #expect(events.last?.carrier == "uid:**********E5F6")
        #expect(!SQLiteShell(path: directory.file("db.sqlite")).run("SELECT * FROM events;").contains("04A1B2C3"))
    }
}
