import Logging
import LoyaltyStore
import ServiceLifecycle
import SystemdSupport

/// Sends `WATCHDOG=1` to systemd at half of `WatchdogSec`, but only after checking that the
/// database still answers: a daemon whose store hangs stops pinging and systemd restarts it.
struct WatchdogService: Service {
    let interval: Duration?
    let notifier: SystemdNotifier
    let isHealthy: @Sendable () async -> Bool
    let logger: Logger

    func run() async throws {
        guard let interval else { return }
        logger.info("systemd watchdog on", metadata: ["ping_interval": "\(interval)"])
        // Shutdown cancels the loop; the ping stops only after the till socket has drained.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if await isHealthy() {
                    notifier.watchdog()
                } else {
                    logger.error("health check failed: not pinging the systemd watchdog")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
