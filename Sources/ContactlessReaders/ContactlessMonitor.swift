import CPCSCLite
import Dispatch
import Foundation
import Logging
import Synchronization

/// Watches every PC/SC reader for cards, on a thread of its own.
///
/// All readers and pcsc-lite's PnP notification are watched in one `SCardGetStatusChange`, so the
/// thread sleeps in pcscd until a card or a reader moves: no polling. On every wake the readers
/// are listed again (pcsc-lite 1.9's PnP entry carries no counter). A card presented is read once:
/// the event counter in the high 16 bits of `dwEventState` shows a card removed and presented again
/// between two calls. A reader added is asked for its serial number and port here too, so every
/// blocking PC/SC call stays on this thread. When pcscd goes away the context is re-established with backoff; `stop()`
/// ends a wait with `SCardCancel`, the only call made from another thread.
public final class ContactlessMonitor: Sendable {
    public struct Backoff: Sendable {
        public var initial: Duration
        public var maximum: Duration

        public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(1)) {
            self.initial = initial
            self.maximum = maximum
        }
    }

    private struct State {
        var stopping = false
        var context: SCARDCONTEXT?
    }

    private static let plugAndPlayReader = "\\\\?PnP?\\Notification"

    private let sink: @Sendable (ContactlessEvent) -> Void
    private let readsMemberNumber: @Sendable (String) -> Bool
    private let logger: Logger
    private let backoff: Backoff
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - readsMemberNumber: whether a card on this reader is to be read for a member number
    ///     written as NDEF (asked at each presentation, so it may follow a reload).
    ///   - sink: receives every event, on the monitor's thread; it must not block.
    public init(
        logger: Logger, backoff: Backoff = Backoff(), readsMemberNumber: @escaping @Sendable (String) -> Bool = { _ in false },
        sink: @escaping @Sendable (ContactlessEvent) -> Void
    ) {
        self.logger = logger
        self.backoff = backoff
        self.readsMemberNumber = readsMemberNumber
        self.sink = sink
    }

    /// Starts the monitor's thread.
    public func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "pcsc-monitor"
        thread.start()
    }

    /// Ends the wait in pcscd and returns once the thread has released its context.
    public func stop() {
        let context = state.withLock { state -> SCARDCONTEXT? in
            state.stopping = true
            return state.context
        }
        if let context { PCSCContext.cancel(context) }
        wake.signal()
        finished.wait()
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func run() {
        var delay = backoff.initial
        var reportedUnavailable = false
        while !isStopping {
            let context: PCSCContext
            do {
                context = try PCSCContext()
            } catch {
                if !reportedUnavailable {
                    logger.warning("pcscd not reachable; retrying", metadata: ["reason": "\(error)"])
                    sink(.serviceUnavailable(reason: error.description))
                    reportedUnavailable = true
                }
                _ = wake.wait(timeout: .now() + .milliseconds(Int(delay / .milliseconds(1))))
                delay = min(delay * 2, backoff.maximum)
                continue
            }
            let registered = state.withLock { state -> Bool in
                guard !state.stopping else { return false }
                state.context = context.handle
                return true
            }
            guard registered else { return }
            reportedUnavailable = false
            delay = backoff.initial
            logger.info("pcscd reachable: watching contactless readers")
            sink(.serviceAvailable)
            var readers = ReaderTable()
            do {
                try watch(context, readers: &readers)
            } catch {
                logger.warning("lost pcscd; re-establishing the context", metadata: ["reason": "\(error)"])
                if !isStopping {
                    sink(.serviceUnavailable(reason: error.description))
                    reportedUnavailable = true
                }
            }
            for name in readers.names { sink(.readerRemoved(name: name)) }
            state.withLock { $0.context = nil }
        }
    }

    /// Watches until stopped (returns) or until the context is lost (throws).
    private func watch(_ context: PCSCContext, readers: inout ReaderTable) throws(PCSCError) {
        var plugAndPlayState = DWORD(0)
        while !isStopping {
            let names = try context.readerNames()
            for change in readers.update(to: names) {
                switch change {
                case .added(let name): sink(.readerAdded(context.identity(of: name)))
                case .removed(let name): sink(.readerRemoved(name: name))
                }
            }
            let watched = [Self.plugAndPlayReader] + readers.names
            let cNames = watched.map { strdup($0)! }
            defer { cNames.forEach { free($0) } }
            var states = cNames.enumerated().map { index, name in
                var entry = SCARD_READERSTATE()
                entry.szReader = UnsafePointer(name)
                entry.dwCurrentState = index == 0 ? plugAndPlayState : readers.lastState(of: watched[index])
                return entry
            }
            do {
                try context.waitForChange(&states, timeout: DWORD(INFINITE))
            } catch {
                if error == .cancelled || isStopping { return }
                if error.meansContextLost { throw error }
                if error == .timeout { continue }
                // A reader vanished mid-call (SCARD_E_UNKNOWN_READER …): list them again.
                logger.debug("SCardGetStatusChange: \(error); listing readers again")
                continue
            }
            plugAndPlayState = states[0].dwEventState & ~DWORD(SCARD_STATE_CHANGED)
            for (index, entry) in states.enumerated().dropFirst() {
                observe(watched[index], entry, context: context, readers: &readers)
            }
        }
    }

    /// Acts on one reader's new state: a card newly presented is read once. Its UID is read with
    /// GET DATA; a card that may hold applications (by its ATR) is then asked for the payment
    /// environment on the same connection, so a bank card is told apart in one more round trip.
    private func observe(_ reader: String, _ entry: SCARD_READERSTATE, context: PCSCContext, readers: inout ReaderTable) {
        let current = entry.dwEventState
        guard let presentation = readers.record(reader, state: current) else { return }
        guard presentation == .newCard else {
            sink(.cardUnreadable(reader: reader, reason: "the card does not answer (mute)"))
            return
        }
        let atr = withUnsafeBytes(of: entry.rgbAtr) { Array($0.prefix(Int(entry.cbAtr))) }
        // Some readers answer the second read after a reset with an empty or failed UID: try twice.
        var lastProblem = ""
        for _ in 0..<2 {
            do {
                let card = try context.connect(to: reader)
                let answer = try card.transmit(CardUID.getDataCommand)
                if let uid = CardUID.uid(fromAnswer: answer) {
                    if PaymentEnvironment.isWorthProbing(atr: atr),
                       let selection = try? card.transmit(PaymentEnvironment.selectCommand),
                       PaymentEnvironment.isSelected(byAnswer: selection)
                    {
                        sink(.paymentCardPresented(reader: reader))
                    } else if readsMemberNumber(reader) {
                        let number = NDEFMemberNumber.read { page in try card.transmit(NDEFMemberNumber.readCommand(page: page)) }
                        sink(.cardPresented(reader: reader, uid: uid, atr: atr, memberNumber: number))
                    } else {
                        sink(.cardPresented(reader: reader, uid: uid, atr: atr))
                    }
                    return
                }
                lastProblem = "GET DATA answered " + CardUID.hex(Array(answer.suffix(2)))
            } catch {
                lastProblem = error.description
            }
        }
        sink(.cardUnreadable(reader: reader, reason: lastProblem))
    }

    /// What is on every reader now, without waiting: for `loyaltyd readers`.
    public static func snapshot() throws(PCSCError) -> [ReaderSnapshot] {
        let context = try PCSCContext()
        let names = try context.readerNames()
        guard !names.isEmpty else { return [] }
        let cNames = names.map { strdup($0)! }
        defer { cNames.forEach { free($0) } }
        var states = cNames.map { name in
            var entry = SCARD_READERSTATE()
            entry.szReader = UnsafePointer(name)
            entry.dwCurrentState = DWORD(SCARD_STATE_UNAWARE)
            return entry
        }
        try context.waitForChange(&states, timeout: 0)
        return zip(names, states).map { name, entry in
            let bits = entry.dwEventState
            let present = bits & DWORD(SCARD_STATE_PRESENT) != 0
            let atr = present ? withUnsafeBytes(of: entry.rgbAtr) { Array($0.prefix(Int(entry.cbAtr))) } : []
            return ReaderSnapshot(
                name: name, cardPresent: present, atr: atr, states: ReaderTable.stateNames(bits), identity: context.identity(of: name))
        }
    }
}
