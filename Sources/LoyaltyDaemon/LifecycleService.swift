import LoyaltyDomain
import Logging
import LoyaltyStore
import ServiceLifecycle
import SystemdSupport

/// Marks the daemon's start in the event log and tells systemd when shutdown begins. It is the
/// last service in the group, so it is the first to hear of a graceful shutdown; the stop record is
/// written by ``Daemon/run()`` once every service, the till socket included, has finished.
struct LifecycleService: Service {
    let store: LoyaltyStore
    let notifier: SystemdNotifier
    let clock: WallClock
    let logger: Logger

    func run() async throws {
        await store.record("daemon.start", detail: "version \(LoyaltydVersion.current)", now: clock.now(), logger: logger)
        try? await gracefulShutdown()
        notifier.stopping()
        logger.info("shutting down")
    }
}
