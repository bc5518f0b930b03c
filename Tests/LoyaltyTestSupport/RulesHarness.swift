import Foundation
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyStore
import Synchronization

/// A program from a config file in config/examples on a real SQLite store in a temporary
/// directory, with a clock the test moves: the rules engine end to end without sleeping.
public final class RulesHarness: @unchecked Sendable {
    public let store: LoyaltyStore
    public let configuration: LoyaltyConfiguration
    public var program: LoyaltyProgram { configuration.program }
    /// The injected clock, in milliseconds since the epoch.
    public var now: Int64
    private let directory: TemporaryDirectory

    /// The repository's config/examples folder.
    public static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/examples").path

    /// - Parameter start: the first moment, as `2026-01-01T12:00:00Z`.
    public init(example: String, start: String = "2026-01-01T12:00:00Z") throws {
        configuration = try ConfigLoader.load(path: "\(Self.examples)/\(example).yaml")
        directory = try TemporaryDirectory(prefix: "loyaltyd-rules")
        store = try LoyaltyStore(path: directory.file("store.sqlite"), storeID: "test")
        now = Timestamp.milliseconds(parsing: start) ?? 0
    }

    deinit {
        try? store.close()
        directory.remove()
    }

    public func advance(days: Int, hours: Int = 0) {
        now += Int64(days) * 86_400_000 + Int64(hours) * 3_600_000
    }

    public func set(_ time: String) {
        now = Timestamp.milliseconds(parsing: time) ?? now
    }

    /// An amount in the program's currency; a text that is not one throws (never a silent zero,
    /// which would let an expectation of "no discount" pass on a typo).
    public func money(_ text: String) throws -> Money {
        try configuration.currency.parse(text)
    }

    public func card(_ value: String) throws -> MemberReference {
        .carrier(try Carrier(kind: .barcode, value: value))
    }

    @discardableResult
    public func enroll(_ card: String, birthday: String? = nil, group: String? = nil) async throws -> MemberID {
        let enrolment = Enrolment(
            carrier: try Carrier(kind: .barcode, value: card), name: nil, phone: nil, birthday: birthday,
            consentAtMilliseconds: birthday == nil ? nil : now, group: group)
        return try await store.enroll(
            enrolment, bonus: program.enrolmentBonus(nowMilliseconds: now), rulesVersion: program.version,
            expiry: program.policies.expiry, nowMilliseconds: now
        ).id
    }

    /// A receipt line: SKU, category, amount, quantity.
    public typealias Line = (sku: String, category: String?, amount: String, quantity: String)

    public func request(
        _ card: String, _ transaction: String = "quote", total: String, lines: [Line] = [], redeem: Int64 = 0,
        rewards: [String] = [], codes: [String] = []
    ) throws -> PurchaseRequest {
        try PurchaseRequest(
            tillID: "lane-1", transactionID: transaction, member: self.card(card), total: money(total),
            lines: lines.map { try ReceiptLine(sku: $0.sku, category: $0.category, quantity: $0.quantity, amount: money($0.amount)) },
            redeemPoints: Points(redeem), rewards: rewards.map { RewardRequest(sku: $0, quantity: 1) }, codes: codes)
    }

    public func quote(_ request: PurchaseRequest) async throws -> Quote {
        try await store.quote(request, program: program, nowMilliseconds: now).0
    }

    /// Commits and returns the quote the commit was computed with.
    @discardableResult
    public func commit(_ request: PurchaseRequest) async throws -> Quote {
        let committed = Mutex<Quote?>(nil)
        _ = try await store.commit(request, program: program, nowMilliseconds: now) { quote, _ in
            committed.withLock { $0 = quote }
            return "{}"
        }
        return try committed.withLock { value throws -> Quote in
            guard let value else { throw HarnessError("the commit was a retry: no quote computed") }
            return value
        }
    }

    public func refund(_ transaction: String, _ refundID: String, scope: RefundScope = RefundScope()) async throws -> RefundSettlement {
        let settled = Mutex<RefundSettlement?>(nil)
        _ = try await store.refund(
            tillID: "lane-1", transactionID: transaction, refundID: refundID, scope: scope, program: program, nowMilliseconds: now
        ) { settlement in
            settled.withLock { $0 = settlement }
            return "{}"
        }
        return try settled.withLock { value throws -> RefundSettlement in
            guard let value else { throw HarnessError("the refund was a retry") }
            return value
        }
    }

    public func view(_ card: String) async throws -> MemberView {
        try await store.memberView(try self.card(card), program: program, nowMilliseconds: now)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
