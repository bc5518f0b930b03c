import CPCSCLite
import Foundation
import LoyaltyTestSupport
import Synchronization
import TillClient
import TillProtocol

/// The daemon's own share of a tap: from the moment pcscd reports the card to a plain PC/SC client
/// waiting in this process, to the moment a subscribed till receives `card.read`.
enum TapLatency {
    struct Result {
        var overheads: [Double]  // milliseconds
        /// Not measured (0) in the variant with a stalled till.
        var idleCPUSeconds: Double
        /// Stalled tills the daemon disconnected during the taps.
        var stalledTillsDisconnected = 0
    }

    /// - Parameter stalledTill: keeps a subscribed till that never reads present at every tap:
    ///   it fills its socket with answers it does not read, and when the daemon disconnects it
    ///   (its notification queue full) another one takes its place.
    static func measure(taps: Int, stalledTill: Bool = false) throws -> Result {
        let pcsc = try VirtualPCSC()
        try pcsc.start()
        defer { pcsc.stop() }
        let daemon = try TemporaryDaemon {
            $0.contactlessEnabled = true
            $0.repeatWindowMilliseconds = 0
        }
        try daemon.start()
        defer { daemon.cleanUp() }
        let till = try daemon.client()
        _ = try till.result("events.subscribe")
        guard waitUntil(timeoutSeconds: 10, { (try? till.result("status")["readers"]).map { $0 != .array([]) } ?? false }) else {
            throw BenchmarkError(description: "the daemon did not pick up the virtual readers")
        }

        var idleCPU = 0.0
        if !stalledTill {
            // No card moves: the daemon should sleep in pcscd.
            let cpuBefore = ProcessMemory.cpuSeconds(of: daemon.processID!)
            sleep(5)
            idleCPU = ProcessMemory.cpuSeconds(of: daemon.processID!) - cpuBefore
        }
        var stalled: [TillClient] = []
        var disconnected = 0
        func keepAStalledTill() throws {
            guard stalledTill else { return }
            if try till.result("status")["subscribers"] == 2 { return }
            if !stalled.isEmpty { disconnected += 1 }
            let newcomer = try daemon.client()
            _ = try newcomer.result("events.subscribe")
            let batch = "[" + (1...100).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"status"}"# }.joined(separator: ",") + "]"
            for _ in 0..<10 { try newcomer.sendLine(Array(batch.utf8)) }
            stalled.append(newcomer)
        }

        let watcher = PresenceWatcher(reader: VirtualPCSC.readerNames[0])
        watcher.start()
        var overheads: [Double] = []
        for tap in 0..<taps {
            try keepAStalledTill()
            let uid: [UInt8] = [0x04, 0x10, UInt8(tap >> 8), UInt8(tap & 0xFF)]
            let card = try VirtualCard(reader: 0, uid: uid)
            while true {
                let message = try till.nextNotification(timeoutMilliseconds: 5_000)
                guard message["method"] == "card.read" else { continue }
                let received = ContinuousClock.now
                guard let reported = watcher.waitForPresentation(number: tap + 1) else {
                    throw BenchmarkError(description: "the PC/SC watcher missed tap \(tap)")
                }
                overheads.append((received - reported).milliseconds)
                break
            }
            card.remove()
            watcher.waitForRemoval()
        }
        watcher.stop()
        return Result(overheads: overheads, idleCPUSeconds: idleCPU, stalledTillsDisconnected: disconnected)
    }
}

/// A plain PC/SC client that notes when pcscd reports a card on one reader.
final class PresenceWatcher: @unchecked Sendable {
    private let reader: String
    private let state = Mutex<(presentations: [ContinuousClock.Instant], present: Bool, stopping: Bool, context: SCARDCONTEXT?)>(([], false, false, nil))
    private let finished = DispatchSemaphore(value: 0)

    init(reader: String) {
        self.reader = reader
    }

    func start() {
        Thread { [self] in
            var context = SCARDCONTEXT()
            guard SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context) == LONG(SCARD_S_SUCCESS) else { return }
            state.withLock { $0.context = context }
            let name = strdup(reader)!
            var entry = SCARD_READERSTATE()
            entry.szReader = UnsafePointer(name)
            entry.dwCurrentState = DWORD(SCARD_STATE_UNAWARE)
            while !state.withLock({ $0.stopping }) {
                guard SCardGetStatusChange(context, DWORD(INFINITE), &entry, 1) == LONG(SCARD_S_SUCCESS) else { break }
                let now = ContinuousClock.now
                let present = entry.dwEventState & DWORD(SCARD_STATE_PRESENT) != 0
                state.withLock { state in
                    if present, !state.present { state.presentations.append(now) }
                    state.present = present
                }
                entry.dwCurrentState = entry.dwEventState & ~DWORD(SCARD_STATE_CHANGED)
            }
            free(name)
            SCardReleaseContext(context)
            finished.signal()
        }.start()
    }

    func waitForPresentation(number: Int) -> ContinuousClock.Instant? {
        for _ in 0..<500 {
            if let instant = state.withLock({ $0.presentations.count >= number ? $0.presentations[number - 1] : nil }) { return instant }
            usleep(1_000)
        }
        return nil
    }

    func waitForRemoval() {
        for _ in 0..<2_000 where state.withLock({ $0.present }) { usleep(1_000) }
    }

    func stop() {
        if let context = state.withLock({ state -> SCARDCONTEXT? in
            state.stopping = true
            return state.context
        }) {
            SCardCancel(context)
            finished.wait()
        }
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15 }
}
