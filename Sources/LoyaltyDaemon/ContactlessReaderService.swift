import ContactlessReaders
import Logging
import LoyaltyDomain
import LoyaltyStore
import ServiceLifecycle
import TillProtocol

/// Contactless readers through pcscd: runs the PC/SC monitor on its own thread and turns what
/// it reports into reader changes and card reads. pcscd being away never stops the daemon: the
/// subsystem shows as degraded in `status` while the monitor retries.
struct ContactlessReaderService: Service {
    static let kind = "contactless"
    /// The `problem` of a contactless bank card's `card.read` (docs/protocol.md §5.3).
    static let paymentCardProblem = "a payment card (it answers SELECT 2PAY.SYS.DDF01); it is not a loyalty card and nothing of it is kept"

    let directory: ReaderDirectory
    let router: CardReadRouter
    let configuration: ActiveConfiguration
    let logger: Logger

    func run() async throws {
        directory.set(Self.kind, .init(state: "degraded", reason: "connecting to pcscd"))
        // Every reader pcscd lists, selected or not, with its serial and port: a reload may select it.
        var identities: [String: PCSCReaderIdentity] = [:]
        try await ReaderEventPump.run(
            start: { [configuration] sink in
                let monitor = ContactlessMonitor(
                    logger: logger, readsMemberNumber: { _ in configuration.value.readers.contactlessIdentity == .ndef }, sink: sink)
                monitor.start()
                return { monitor.stop() }
            },
            handle: { event, repeats in await handle(event, repeats: &repeats, identities: &identities) })
    }

    private func handle(_ event: ContactlessEvent, repeats: inout RepeatFilter, identities: inout [String: PCSCReaderIdentity]) async {
        let now = router.clock.now()
        switch event {
        case .serviceAvailable:
            directory.set(Self.kind, .init(state: "ok", reason: nil))
        case .serviceUnavailable(let reason):
            directory.set(Self.kind, .init(state: "degraded", reason: reason))
            await router.store.record("reader.service_unavailable", detail: "pcscd: \(reason)", now: now, logger: logger)
        case .readerAdded(let identity):
            let name = identity.name
            identities[name] = identity
            guard let reader = selected(name, identities) else {
                logger.info("contactless reader not selected by the configuration; ignored", metadata: [
                    "reader": "\(name)", "serial": "\(identity.serialNumber ?? "none")", "port": "\(identity.portPath ?? "unknown")",
                ])
                return
            }
            logger.info("contactless reader added", metadata: [
                "reader": "\(name)", "till": "\(reader.tillID ?? "all")", "serial": "\(identity.serialNumber ?? "none")",
                "port": "\(identity.portPath ?? "unknown")",
            ])
            await router.announce("reader.added", reader, now: now)
        case .readerRemoved(let name):
            identities[name] = nil
            repeats.forget(reader: name)
            guard let reader = directory.reader(named: name) else { return }
            directory.remove(name)
            logger.info("contactless reader removed", metadata: ["reader": "\(name)"])
            await router.announce("reader.removed", reader, now: now)
        case .cardPresented(let name, let uid, _, let memberNumber):
            guard let reader = selected(name, identities) else { return }
            let uidCarrier: Carrier
            do {
                uidCarrier = try Carrier(kind: .uid, value: CardUID.hex(uid))
            } catch {
                await router.route(CardRead(reader: reader, carrier: nil, problem: "UID of \(uid.count) bytes is not a card number"))
                return
            }
            // A phone's random UID is new on every tap: reported every time, never looked up.
            if let refusal = uidCarrier.linkRefusal {
                await router.route(CardRead(reader: reader, carrier: nil, problem: refusal.description, result: refusal.reason))
                return
            }
            let carrier: Carrier
            switch (configuration.value.readers.contactlessIdentity, memberNumber) {
            case (.uid, _):
                carrier = uidCarrier
            case (.ndef, .success(let number)?):
                do {
                    carrier = try Carrier(kind: .barcode, value: number)
                } catch {
                    await router.route(CardRead(reader: reader, carrier: nil, problem: "the NDEF member number is not a card number (\(error))"))
                    return
                }
            case (.ndef, .failure(let problem)?):
                await router.route(CardRead(reader: reader, carrier: nil, problem: "no member number: \(problem)"))
                return
            case (.ndef, nil):
                // Read just before a reload turned `identify_by: ndef` on: the UID is not used instead.
                await router.route(CardRead(reader: reader, carrier: nil, problem: "no member number: the card was read before identify_by: ndef applied"))
                return
            }
            let window = configuration.value.readers.repeatWindowMilliseconds
            guard repeats.admit(reader: name, value: carrier.value, now: now, windowMilliseconds: window) else {
                logger.debug("same card again within the repeat window; not reported", metadata: ["reader": "\(name)"])
                return
            }
            await router.route(CardRead(reader: reader, carrier: carrier))
        case .paymentCardPresented(let name):
            guard let reader = selected(name, identities) else { return }
            await router.route(CardRead(reader: reader, carrier: nil, problem: Self.paymentCardProblem, result: "bank_card_rejected"))
        case .cardUnreadable(let name, let reason):
            guard let reader = selected(name, identities) else { return }
            await router.route(CardRead(reader: reader, carrier: nil, problem: reason))
        }
    }

    /// The reader as the configuration in force selects it (lanes follow a SIGHUP reload), kept
    /// up to date in the directory; `nil` when the configuration does not use it.
    private func selected(_ name: String, _ identities: [String: PCSCReaderIdentity]) -> ReaderDirectory.Reader? {
        let identity = identities[name] ?? PCSCReaderIdentity(name: name)
        let lane = configuration.value.readers.contactlessLaneFor(name, serialNumber: identity.serialNumber, portPath: identity.portPath)
        guard lane.used else {
            directory.remove(name)
            return nil
        }
        let reader = ReaderDirectory.Reader(
            name: name, kind: Self.kind, tillID: lane.tillID, serialNumber: identity.serialNumber, portPath: identity.portPath)
        directory.add(reader)
        return reader
    }
}
