import ChainSync
import Logging
import LoyaltyDomain
import LoyaltyMetrics
import LoyaltyStore
import NIOCore
import TillProtocol
import TillServer

/// The till protocol's methods: reads a request line, checks it, runs it against the store and
/// the program in force, and writes the answer. Every failure becomes a JSON-RPC error; nothing
/// a till sends can crash the daemon or leave a half-written row.
public struct TillAPI: TillRequestHandler {
    let store: LoyaltyStore
    let configuration: ActiveConfiguration
    let events: EventHub
    let clock: WallClock
    let status: @Sendable () async -> JSONValue
    let logger: Logger
    /// In a chain: the caps on redemption while the centre is out of reach; `nil` for a single store.
    var offline: OfflineRedemptionGuard? = nil
    /// Requests by method and outcome, and the latency of quotes and commits; `nil` without `metrics:`.
    var metrics: LoyaltydMetrics? = nil

    public func respond(to line: ByteBuffer, on connection: TillConnection) async -> [UInt8]? {
        switch RPCFrame.decode(line.readableBytesView) {
        case .unusable(let failure):
            metrics?.request(method: "unknown", outcome: failure.error.reason?.rawValue ?? "error", duration: .zero)
            return RPCResponse.line(for: failure)
        case .single(let request):
            return await answer(request, on: connection).map(JSONWriter.bytes(of:))
        case .batch(let requests):
            var answers: [JSONValue] = []
            for request in requests {
                if let answer = await answer(request, on: connection) { answers.append(answer) }
            }
            return answers.isEmpty ? nil : JSONWriter.bytes(of: .array(answers))
        }
    }

    public func connectionClosed(_ connection: TillConnection) async {
        events.unsubscribe(connection)
    }

    /// The response object for one request, or `nil` for a notification.
    private func answer(_ parsed: Result<RPCRequest, RPCFailure>, on connection: TillConnection) async -> JSONValue? {
        let request: RPCRequest
        switch parsed {
        case .failure(let failure):
            metrics?.request(method: "unknown", outcome: failure.error.reason?.rawValue ?? "error", duration: .zero)
            return RPCResponse.failure(id: failure.id, error: failure.error)
        case .success(let value): request = value
        }
        let started = ContinuousClock.now
        do {
            let now = clock.now()
            let call = try TillCall.parse(request, limits: configuration.limits, nowMilliseconds: now)
            let result = try await perform(call, on: connection, now: now)
            metrics?.request(method: request.method, outcome: "ok", duration: ContinuousClock.now - started)
            return request.id.map { RPCResponse.success(id: $0, result: result) }
        } catch {
            metrics?.request(method: request.method, outcome: error.reason?.rawValue ?? "error", duration: ContinuousClock.now - started)
            return request.id.map { RPCResponse.failure(id: $0, error: error) }
        }
    }

    private func perform(_ call: TillCall, on connection: TillConnection, now: Int64) async throws(RPCError) -> JSONValue {
        let configuration = configuration.value
        let encoder = TillResultEncoder(currency: configuration.currency)
        switch call {
        case .status:
            return await status()

        case .lookup(let reference):
            return encoder.member(try await mapped { () async throws(StoreError) in
                try await store.memberView(reference, program: configuration.program, nowMilliseconds: now)
            })

        case .enroll(let enrolment):
            let program = configuration.program
            let member = try await mapped { () async throws(StoreError) in
                try await store.enroll(
                    enrolment, bonus: program.enrolmentBonus(nowMilliseconds: now), rulesVersion: program.version,
                    expiry: program.policies.expiry, nowMilliseconds: now)
            }
            logger.info("member enrolled", metadata: ["member": "\(member.id)", "carrier": "\(enrolment.carrier.masked)"])
            await store.record("member.enroll", carrier: enrolment.carrier, memberID: member.id, now: now, logger: logger)
            return encoder.member(try await mapped { () async throws(StoreError) in
                try await store.memberView(.id(member.id), program: program, nowMilliseconds: now)
            })

        case .quote(let request):
            let (quote, memberID) = try await mapped { () async throws(StoreError) in
                try await store.quote(request, program: configuration.program, nowMilliseconds: now)
            }
            try await offline?.check(quote, memberID: memberID, nowMilliseconds: now)
            return encoder.quote(quote, memberID: memberID)

        case .commit(let request):
            // Online (the usual case) a commit is not quoted twice.
            if let offline, request.redeemPoints > .zero || !request.rewards.isEmpty, offline.isOffline(nowMilliseconds: now) {
                // A retry of a commit already made is answered as before; anything new is checked.
                if let quoted = try? await store.quote(request, program: configuration.program, nowMilliseconds: now) {
                    try await offline.check(quoted.0, memberID: quoted.1, nowMilliseconds: now)
                }
            }
            let outcome = try await mapped { () async throws(StoreError) in
                try await store.commit(request, program: configuration.program, nowMilliseconds: now) { quote, memberID in
                    JSONWriter.string(of: encoder.quote(quote, memberID: memberID))
                }
            }
            logger.info(
                outcome.isFirstCommit ? "purchase committed" : "purchase commit retried: first result returned, nothing awarded",
                metadata: ["till": "\(request.tillID)", "transaction": "\(request.transactionID)", "member": "\(outcome.memberID)"])
            return try storedResult(outcome.result)

        case .void(let tillID, let transactionID):
            let voided = try await mapped { () async throws(StoreError) in
                try await store.void(tillID: tillID, transactionID: transactionID, nowMilliseconds: now)
            }
            return .object([("voided", true), ("already_voided", .bool(!voided))])

        case .refund(let refund):
            if let offline, refund.tillID.contains(":"), offline.isOffline(nowMilliseconds: now) {
                // `<store id>:<till id>` names another store's purchase: that store may be refunding
                // it too, and only the centre can tell.
                throw RPCError(.chainOffline, "this purchase was made in another store and the chain's centre cannot be reached; refund it there, or once this store is online")
            }
            let outcome = try await mapped { () async throws(StoreError) in
                try await store.refund(
                    tillID: refund.tillID, transactionID: refund.transactionID, refundID: refund.refundID,
                    scope: RefundScope(amount: refund.amount, lines: refund.lines.map { ($0.sku, $0.amount) }),
                    program: configuration.program, nowMilliseconds: now
                ) { settlement in
                    JSONWriter.string(of: .object([
                        ("member_id", .string(settlement.memberID)),
                        ("refund_id", .string(refund.refundID)),
                        ("amount", encoder.money(settlement.amount)),
                        ("points_reversed", .integer(settlement.pointsReversed.value)),
                        ("points_not_reversed", .integer(settlement.pointsForgiven.value)),
                        ("spent_points_policy", .string(settlement.spentPointsPolicy.rawValue)),
                        ("points_restored", .integer(settlement.pointsRestored.value)),
                        ("points_expired", .integer(settlement.pointsExpired.value)),
                        ("coupons_cancelled", .array(settlement.couponsCancelled.map(JSONValue.string))),
                        ("remaining_refundable", encoder.money(settlement.remaining)),
                        ("balance_after", .integer(settlement.balanceAfter.value)),
                    ]))
                }
            }
            logger.info(
                outcome.isFirstRefund ? "purchase refunded" : "refund retried: first result returned",
                metadata: ["till": "\(refund.tillID)", "transaction": "\(refund.transactionID)", "refund": "\(refund.refundID)"])
            return try storedResult(outcome.result)

        case .subscribe(let lane):
            events.subscribe(connection, lane: lane)
            connection.waitsForNotifications()
            return .object([("subscribed", true), ("till_id", lane.map(JSONValue.string) ?? .null)])

        case .recordSale(let sale):
            return try await record(sale, now: now)
        }
    }

    /// A result stored at first commit, sent again byte for byte on a retry.
    private func storedResult(_ text: String) throws(RPCError) -> JSONValue {
        do {
            return try JSONParser.parse(Array(text.utf8))
        } catch {
            throw RPCError(.internalError, "internal error: a stored result is unreadable")
        }
    }

    /// Runs a store operation, turning its error into the documented till error.
    private func mapped<T>(_ body: () async throws(StoreError) -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch {
            if case .storageUnavailable(let why) = error {
                logger.error("database write failed", metadata: ["reason": "\(why)"])
            }
            throw Self.rpcError(for: error, encoder: TillResultEncoder(currency: configuration.value.currency))
        }
    }

    static func rpcError(for error: StoreError, encoder: TillResultEncoder) -> RPCError {
        switch error {
        case .unknownMember: RPCError(.unknownMember, error.description)
        case .unknownCard: RPCError(.unknownCard, error.description)
        case .carrierInUse: RPCError(.carrierInUse, error.description)
        case .carrierRefused(.randomUID): RPCError(.randomUID, error.description)
        case .memberBlocked, .quote(.memberBlocked): RPCError(.memberBlocked, "the member is blocked")
        case .cardBlocked(let status): RPCError(.cardBlocked, error.description, extra: [("card_status", .string(status.rawValue))])
        case .transactionConflict: RPCError(.transactionConflict, error.description)
        case .transactionVoided: RPCError(.transactionVoided, error.description)
        case .alreadyCommitted: RPCError(.alreadyCommitted, error.description)
        case .purchaseNotFound: RPCError(.purchaseNotFound, error.description)
        case .refundExceedsPurchase(let remaining):
            RPCError(.refundExceedsPurchase, error.description, extra: [("remaining_refundable", encoder.money(remaining))])
        case .refundConflict: RPCError(.refundConflict, error.description)
        case .refundLinesUnknown: RPCError(.invalidParams, error.description)
        case .quote(.unknownReward), .quote(.rewardOncePerReceipt): RPCError(.invalidParams, error.description)
        case .quote(.rewardsTooExpensive(_, let spendable)):
            RPCError(.redemptionRefused, error.description, extra: [("points_spendable", .integer(spendable.value))])
        case .quote(.redemptionTooLarge(_, let redeemable)):
            RPCError(.redemptionRefused, error.description, extra: [("points_redeemable", .integer(redeemable.value))])
        case .quote(.redemptionNotInBlocks(_, _, let redeemable)):
            RPCError(.redemptionRefused, error.description, extra: [("points_redeemable", .integer(redeemable.value))])
        case .quote(.negativeRedemption): RPCError(.invalidParams, error.description)
        case .storageUnavailable: RPCError(.storageUnavailable, error.description)
        }
    }
}
