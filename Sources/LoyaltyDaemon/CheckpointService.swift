import Logging
import LoyaltyStore
import ServiceLifecycle

/// Checkpoints the store's WAL every `interval`, off the commit path: a till's commit appends to
/// the WAL and syncs it, and never copies pages into the database file itself (see
/// ``LoyaltyStore/commitCheckpointPages``). Stops with the other services; the store's close
/// checkpoints what is left.
struct CheckpointService: Service {
    let store: LoyaltyStore
    let interval: Duration
    let logger: Logger

    /// WAL frames from which the next checkpoint follows at once rather than after `interval`
    /// (SQLite's own default threshold).
    static let busyFrames = 1_000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            var pause = interval
            var last: WALCheckpoint?
            while !Task.isCancelled {
                try? await Task.sleep(for: pause)
                do {
                    let checkpoint = try await store.checkpointInBackground()
                    // Under a burst of commits, go on almost at once: waiting a whole interval would let
                    // the WAL reach the limit where commits checkpoint themselves again. Only while
                    // there is something new: an idle WAL, or one a reader still holds, waits.
                    let busy = checkpoint.walFrames >= Self.busyFrames && checkpoint != last
                    pause = busy ? .milliseconds(10) : interval
                    last = checkpoint
                    if failing { logger.notice("WAL checkpoint works again") }
                    failing = false
                } catch {
                    // Said once per run of failures: commits still checkpoint themselves past the limit.
                    if !failing { logger.warning("WAL checkpoint failed", metadata: ["reason": "\(error)"]) }
                    failing = true
                    pause = interval
                }
            }
        }
    }
}
