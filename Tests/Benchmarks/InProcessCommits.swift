import Foundation
import LoyaltyDomain
import LoyaltyStore
import LoyaltyTestSupport

/// The store's own commit (purchase row, ledger entry, cached balance, one durable transaction)
/// called directly, one after the other: what a commit costs without the socket and JSON.
enum InProcessCommits {
    static func measure(commits: Int) throws -> Double {
        let directory = try TemporaryDirectory(prefix: "loyaltyd-inproc")
        defer { directory.remove() }
        let store = try LoyaltyStore(path: directory.file("store.sqlite"), storeID: "bench")
        let card = try Carrier(kind: .uid, value: "04000000000001")
        let program = LoyaltyProgram(
            rules: [DiscountRule.fixed(id: "d", percent: try Percentage(parsing: "5")), PointsRule.percent(id: "p", try Percentage(parsing: "3"))],
            rounding: .halfUp, pointValue: Money(minorUnits: 1))
        let semaphore = BlockingResult<Double>()
        Task {
            do {
                _ = try await store.enroll(Enrolment(carrier: card, name: nil, phone: nil, birthday: nil, consentAtMilliseconds: nil), nowMilliseconds: 0)
                let start = ContinuousClock.now
                for number in 0..<commits {
                    let request = PurchaseRequest(tillID: "t", transactionID: "T\(number)", member: .carrier(card), total: Money(minorUnits: 1_000 + Int64(number)))
                    _ = try await store.commit(request, program: program, nowMilliseconds: 0) { _, _ in "{}" }
                }
                semaphore.set(Double(commits) / (ContinuousClock.now - start).seconds)
            } catch {
                FileHandle.standardError.write(Data("in-process commits failed: \(error)\n".utf8))
                semaphore.set(0)
            }
        }
        let rate = semaphore.wait()
        try store.close()
        return rate
    }
}
