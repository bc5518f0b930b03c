import Logging
import LoyaltyDomain
import LoyaltyStore
import TillProtocol

/// One read from a card reader, before the member is looked up.
struct CardRead: Sendable {
    var reader: ReaderDirectory.Reader
    /// The carrier read, or `nil` when the card could not be read.
    var carrier: Carrier?
    /// Why the card could not be read.
    var problem: String?
    /// The result when there is no carrier: `unreadable` unless said otherwise.
    var result = "unreadable"
}

/// Turns a card read into a member lookup, a `card.read` notification to the tills of the
/// reader's lane, a log line and an event log row. The carrier goes to the till in full (it needs
/// it to enrol an unknown card) but is masked everywhere else.
struct CardReadRouter: Sendable {
    let store: LoyaltyStore
    let events: EventHub
    let configuration: ActiveConfiguration
    let clock: WallClock
    let logger: Logger

    func route(_ read: CardRead) async {
        let encoder = TillResultEncoder(currency: configuration.value.currency)
        var member: MemberView?
        let result: String
        if let carrier = read.carrier {
            do {
                member = try await store.memberView(.carrier(carrier), program: configuration.value.program, nowMilliseconds: clock.now())
                result = "member"
            } catch .unknownCard {
                result = "unknown_card"
            } catch .cardBlocked {
                result = "blocked_card"
            } catch {
                logger.error("card read: member lookup failed", metadata: ["reason": "\(error)"])
                result = "lookup_failed"
            }
        } else {
            result = read.result
        }
        let params = encoder.cardRead(
            reader: read.reader.name, kind: read.reader.kind, tillID: read.reader.tillID, result: result, carrier: read.carrier,
            member: member, problem: read.problem)
        await events.publish(method: "card.read", params: params, lane: read.reader.tillID)

        logger.info(
            "card read",
            metadata: [
                "reader": "\(read.reader.name)", "carrier": "\(read.carrier?.masked ?? "-")", "result": "\(result)",
                "member": "\(member?.id ?? "-")",
            ])
        await store.record(
            "card.read", reader: read.reader.name, carrier: read.carrier, memberID: member?.id,
            detail: read.problem.map { "\(result): \($0)" } ?? result, now: clock.now(), logger: logger)
    }

    /// Tells the tills of the reader's lane that it came or went (`reader.added`, `reader.removed`),
    /// and writes it to the event log.
    func announce(_ method: String, _ reader: ReaderDirectory.Reader, now: Int64) async {
        let params = TillResultEncoder(currency: configuration.value.currency).readerChange(
            reader: reader.name, kind: reader.kind, tillID: reader.tillID)
        await events.publish(method: method, params: params, lane: reader.tillID)
        await store.record(method, reader: reader.name, detail: reader.kind, now: now, logger: logger)
    }
}
