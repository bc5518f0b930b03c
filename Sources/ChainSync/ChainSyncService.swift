import Logging
import LoyaltyDomain
import LoyaltyStore
import ServiceLifecycle
import Synchronization

/// A box's part of the chain: pushes what the store made, pulls what the others made, forever.
///
/// Push: facts leave the outbox in the order they were made, in batches, and are removed only
/// after the centre's transaction committed; a fact the centre refuses goes to the quarantine and
/// the queue moves on. Pull: facts come in central order from the cursor, are applied in one local
/// transaction together with the new cursor, so a crash between the two is impossible. Any error
/// drops the connection and retries with a growing pause; the tills never wait for any of this.
public final class ChainSyncService: Service {
    private let store: LoyaltyStore
    private let transport: any ChainTransport
    private let link: ChainLink
    private let batchSize: Int
    private let interval: Duration
    private let rulesVersion: @Sendable () -> String
    private let daemonVersion: String
    private let clock: WallClock
    private let logger: Logger

    public init(
        store: LoyaltyStore, transport: any ChainTransport, link: ChainLink, batchSize: Int, intervalMilliseconds: Int,
        rulesVersion: @escaping @Sendable () -> String, daemonVersion: String, clock: WallClock, logger: Logger
    ) {
        self.store = store
        self.transport = transport
        self.link = link
        self.batchSize = batchSize
        self.interval = .milliseconds(intervalMilliseconds)
        self.rulesVersion = rulesVersion
        self.daemonVersion = daemonVersion
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        try await store.enableChainQueue()
        await cancelWhenGracefulShutdown {
            var failures = 0
            var greeted = false
            while !Task.isCancelled {
                do {
                    if !greeted {
                        try await self.withDeadline { try await self.greet() }
                        greeted = true
                    }
                    let busy = try await self.withDeadline { try await self.exchange() }
                    if failures > 0 { self.logger.notice("chain: the centre is reachable again") }
                    failures = 0
                    if !busy { try await Task.sleep(for: self.interval) }
                } catch is CancellationError {
                    break
                } catch {
                    greeted = false
                    failures += 1
                    await self.transport.close()
                    let text = ChainErrorText.of(error)
                    self.link.update { $0.lastError = text }
                    try? await self.store.recordChainContact(error: text, clockOffsetMilliseconds: nil, headSequence: nil, nowMilliseconds: self.clock.now())
                    if failures == 1 { self.logger.warning("chain: cannot reach the centre; the store goes on serving", metadata: ["error": "\(text)"]) }
                    // 0.5 s, 1 s, 2 s … at most 30 s between attempts.
                    let pause = min(30_000, 500 << min(failures - 1, 6))
                    try? await Task.sleep(for: .milliseconds(pause))
                }
            }
        }
        await transport.close()
    }

    /// How long one exchange with the centre may take before the link counts as broken: a
    /// connection whose peer vanished without a word (a crashed centre, a cut cable) must not
    /// hold the queue.
    static let exchangeDeadline: Duration = .seconds(10)

    /// Runs `body`, or throws once ``exchangeDeadline`` has passed. The body runs in a task of its
    /// own that the deadline does not wait for: a query on a connection that died may never return,
    /// and the deadline closes the connection so it cannot be used again.
    private func withDeadline<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let slot = OnceContinuation<T>()
        let transport = self.transport
        return try await withCheckedThrowingContinuation { continuation in
            slot.set(continuation)
            let work = Task {
                do { slot.resume(with: .success(try await body())) } catch { slot.resume(with: .failure(error)) }
            }
            Task {
                try? await Task.sleep(for: Self.exchangeDeadline)
                guard slot.isWaiting else { return }
                work.cancel()
                await transport.close()
                slot.resume(with: .failure(ChainProtocolError("no answer from the centre within \(Self.exchangeDeadline)")))
            }
        }
    }

    /// Tells the centre who this box is and what it runs, and learns the clock offset.
    private func greet() async throws {
        let hello = try await transport.hello(rulesVersion: rulesVersion(), daemonVersion: daemonVersion, boxTimeMilliseconds: clock.now())
        link.update { $0.clockOffsetMilliseconds = hello.clockOffsetMilliseconds }
        if abs(hello.clockOffsetMilliseconds) > 60_000 {
            logger.warning("chain: this box's clock is off", metadata: ["offset_ms": "\(hello.clockOffsetMilliseconds)"])
        }
        try await store.recordChainContact(
            error: nil, clockOffsetMilliseconds: hello.clockOffsetMilliseconds, headSequence: hello.headSequence, nowMilliseconds: clock.now())
    }

    /// One push and one pull. Returns whether either was a full batch (more is waiting).
    private func exchange() async throws -> Bool {
        let batch = try await store.pendingChainFacts(limit: batchSize)
        if !batch.facts.isEmpty {
            let outcome = try await transport.push(batch.facts)
            try await store.acknowledgePush(
                through: batch.through, quarantined: outcome.quarantined.map { ($0.factID, $0.reason) }, nowMilliseconds: clock.now())
            for refused in outcome.quarantined {
                logger.error("chain: the centre refused a fact; it is quarantined", metadata: ["fact": "\(refused.factID)", "reason": "\(refused.reason)"])
            }
        }
        let cursor = try await store.chainCursor()
        let facts = try await transport.pull(after: cursor, limit: batchSize)
        if let last = facts.last?.sequence {
            let outcome = try await store.applyPulledFacts(facts, through: last, nowMilliseconds: clock.now())
            if outcome.refused > 0 {
                logger.error("chain: pulled facts could not be applied; they are quarantined", metadata: ["count": "\(outcome.refused)"])
            }
        }
        let now = clock.now()
        link.update {
            $0.lastContactMilliseconds = now
            $0.lastError = nil
            $0.cursor = facts.last?.sequence ?? cursor
        }
        return batch.facts.count == batchSize || facts.count == batchSize
    }
}

/// A continuation resumed once, by whichever comes first: the work or its deadline.
private final class OnceContinuation<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func set(_ waiting: CheckedContinuation<T, any Error>) {
        continuation.withLock { $0 = waiting }
    }

    var isWaiting: Bool { continuation.withLock { $0 != nil } }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
