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
            return await answer(request, on: connection)
        case .batch(let requests):
            var answers: [[UInt8]] = []
            for request in requests {
                if let answer = await answer(request, on: connection) { answers.append(answer) }
            }
            return answers.isEmpty ? nil : RPCResponse.batchLine(answers)
        }
    }

    public func connectionClosed(_ connection: TillConnection) async {
        events.unsubscribe(connection)
    }

    /// The response line for one request, or `nil` for a notification.
    private func answer(_ parsed: Result<RPCRequest, RPCFailure>, on connection: TillConnection) async -> [UInt8]? {
        let request: RPCRequest
        switch parsed {
        case .failure(let failure):
            metrics?.request(method: "unknown", outcome: failure.error.reason?.rawValue ?? "error", duration: .zero)
            return RPCResponse.line(for: failure)
        case .success(let value): request = value
        }
        let started = ContinuousClock.now
        do {
            let now = clock.now()
            let call = try TillCall.parse(request, limits: configuration.limits, nowMilliseconds: now)
            let result = try await perform(call, on: connection, now: now)
            metrics?.request(method: request.method, outcome: "ok", duration: ContinuousClock.now - started)
            return request.id.map { RPCResponse.successLine(id: $0, result: result) }
        } catch {
            metrics?.request(method: request.method, outcome: error.reason?.rawValue ?? "error", duration: ContinuousClock.now - started)
            return request.id.map { JSONWriter.bytes(of: RPCResponse.failure(id: $0, error: error)) }
        }
    }

    /// A method's result: built afresh, or for a commit or refund the result stored with it.
    private func perform(_ call: TillCall, on connection: TillConnection, now: Int64) async throws(RPCError) -> RPCResult {
        let configuration = configuration.value
        let encoder = TillResultEncoder(currency: configuration.currency)
        switch call {
        case .status:
            return .value(await status())

        case .lookup(let reference):
            return .value(encoder.member(try await mapped { () async throws(StoreError) in
                try await store.memberView(reference, program: configuration.program, nowMilliseconds: now)
            }))

        case .enroll(let enrolment):
            let program = configuration.program
            let member = try await mapped { () async throws(StoreError) in
                try await store.enroll(
                    enrolment, bonus: program.enrolmentBonus(nowMilliseconds: now), rulesVersion: program.version,
                    expiry: program.policies.expiry, nowMilliseconds: now)
            }
            logger.info("member enrolled", metadata: ["member": "\(member.id)", "carrier": "\(enrolment.carrier.masked)"])
            await store.record("member.enroll", carrier: enrolment.carrier, memberID: member.id, now: now, logger: logger)
            return .value(encoder.member(try await mapped { () async throws(StoreError) in
                try await store.memberView(.id(member.id), program: program, nowMilliseconds: now)
            }))

        case .quote(let request):
            let (quote, memberID) = try await mapped { () async throws(StoreError) in
                try await store.quote(request, program: configuration.program, nowMilliseconds: now)
            }
            try await offline?.check(quote, memberID: memberID, nowMilliseconds: now)
            return .value(encoder.quote(quote, memberID: memberID))

        case .commit(let request):
            return try await commit(request, now: now)

        case .void(let tillID, let transactionID):
            let voided = try await mapped { () async throws(StoreError) in
                try await store.void(tillID: tillID, transactionID: transactionID, nowMilliseconds: now)
            }
            return .value(encoder.voided(alreadyVoided: !voided))

        case .refund(let refund):
            return try await self.refund(refund, now: now)

        case .subscribe(let lane):
            events.subscribe(connection, lane: lane)
            connection.waitsForNotifications()
            return .value(encoder.subscribed(lane: lane))

        case .recordSale(let sale):
            return .value(try await record(sale, now: now))
        }
    }

    /// Runs a store operation, turning its error into the documented till error.
    func mapped<T>(_ body: () async throws(StoreError) -> T) async throws(RPCError) -> T {
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
