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

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do {
                    _ = try await store.checkpointInBackground()
                    if failing { logger.notice("WAL checkpoint works again") }
                    failing = false
                } catch {
                    // Said once per run of failures: commits still checkpoint themselves past the limit.
                    if !failing { logger.warning("WAL checkpoint failed", metadata: ["reason": "\(error)"]) }
                    failing = true
                }
            }
        }
    }
}
