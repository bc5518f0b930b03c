import CardDecoding
import Logging
import LoyaltyConfig
import LoyaltyDomain
import ServiceLifecycle
import TillProtocol
import USBReaders

/// Magnetic stripe and barcode readers over USB: runs the libusb monitor on its own thread and
/// turns decoded reads into carriers (`track`, `barcode`). A bank card never gets this far with
/// its number: the decoder kept only the last four digits, and this service reports the swipe as
/// rejected without storing anything about the card.
struct USBReaderService: Service {
    static let kind = "usb"

    let directory: ReaderDirectory
    let router: CardReadRouter
    let configuration: ActiveConfiguration
    let logger: Logger

    func run() async throws {
        let readers = configuration.value.readers.usb
        do {
            try await ReaderEventPump.run(
                start: { sink in
                    let monitor = USBMonitor(specs: readers, logger: logger, sink: sink)
                    try monitor.start()
                    directory.set(Self.kind, .init(state: "ok", reason: nil))
                    return { monitor.stop() }
                },
                handle: { event, repeats in await handle(event, repeats: &repeats) })
        } catch {
            // The daemon goes on serving tills and other readers; status shows why USB is missing.
            logger.error("USB readers unavailable", metadata: ["reason": "\(error)"])
            directory.set(Self.kind, .init(state: "degraded", reason: "\(error)"))
            try? await gracefulShutdown()
        }
    }

    private func handle(_ event: USBReaderEvent, repeats: inout RepeatFilter) async {
        let now = router.clock.now()
        switch event {
        case .readerAdded(let spec, let device, _, _):
            let reader = ReaderDirectory.Reader(
                name: spec.name, kind: "usb-\(spec.reportProtocol.rawValue)", tillID: spec.tillID,
                serialNumber: device?.serialNumber, portPath: device?.portPath)
            directory.add(reader)
            await router.announce("reader.added", reader, now: now)
        case .readerUnusable(let spec, let reason):
            directory.add(.init(name: spec.name, kind: "usb-\(spec.reportProtocol.rawValue)", tillID: spec.tillID, problem: reason))
            await router.store.record("reader.unusable", reader: spec.name, detail: reason, now: now, logger: logger)
        case .readerRemoved(let spec):
            repeats.forget(reader: spec.name)
            guard let reader = directory.reader(named: spec.name) else { return }
            directory.remove(spec.name)
            logger.info("USB reader removed", metadata: ["reader": "\(spec.name)"])
            await router.announce("reader.removed", reader, now: now)
        case .read(let spec, let read):
            guard let reader = directory.reader(named: spec.name), reader.problem == nil else { return }
            await route(read, from: reader, repeats: &repeats, now: now)
        }
    }

    private func route(_ read: USBRead, from reader: ReaderDirectory.Reader, repeats: inout RepeatFilter, now: Int64) async {
        let carrier: Carrier
        switch read {
        case .swipe(.bankCard(let lastFour)):
            await router.route(CardRead(reader: reader, carrier: nil, problem: "a bank card ending \(lastFour) was swiped; it is not a loyalty card and nothing of it is kept", result: "bank_card_rejected"))
            return
        case .swipe(.unreadable):
            await router.route(CardRead(reader: reader, carrier: nil, problem: "no track could be read"))
            return
        case .swipe(.storeCard(let number)):
            guard let track = try? Carrier(kind: .track, value: number) else {
                await router.route(CardRead(reader: reader, carrier: nil, problem: "the track is not a card number"))
                return
            }
            carrier = track
        case .barcode(let text):
            let pattern = configuration.value.readers.memberBarcode
            guard let number = pattern.map({ $0.cardNumber(in: text) }) ?? text, let barcode = try? Carrier(kind: .barcode, value: number) else {
                logger.info("barcode is not a member card; ignored", metadata: ["reader": "\(reader.name)"])
                return
            }
            carrier = barcode
        }
        let window = configuration.value.readers.repeatWindowMilliseconds
        guard repeats.admit(reader: reader.name, value: "\(carrier.kind.rawValue):\(carrier.value)", now: now, windowMilliseconds: window) else { return }
        await router.route(CardRead(reader: reader, carrier: carrier))
    }
}
