import Logging
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyStore
import ServiceLifecycle
import SystemdSupport
import UnixSignals

/// Reloads the configuration on SIGHUP. A file with a mistake is refused, logged with its file,
/// line and key, and the configuration in force stays. Either way the outcome goes to the event log
/// (`config.reloaded`, `config.reload_refused`), where `loyaltyd log` shows it.
struct ReloadService: Service {
    let configuration: ActiveConfiguration
    let store: LoyaltyStore
    let clock: WallClock
    let overrides: (socket: String?, database: String?)
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                await reload()
            }
        }
    }

    func reload() async {
        let current = configuration.value
        notifier.reloading()
        defer { notifier.ready(status: "serving") }
        let next: LoyaltyConfiguration
        do {
            next = try ConfigLoader.load(path: current.file).overriding(socketPath: overrides.socket, databasePath: overrides.database)
        } catch {
            logger.error("configuration reload refused; the previous configuration stays in force", metadata: ["error": "\(error)"])
            notifier.status("reload refused: \(error)")
            await store.record("config.reload_refused", detail: "\(error)", now: clock.now(), logger: logger)
            return
        }
        var restartNeeded: [String] = []
        if next.storeID != current.storeID { restartNeeded.append("store.id") }
        if next.tillSocket != current.tillSocket { restartNeeded.append("till_socket") }
        if next.databasePath != current.databasePath { restartNeeded.append("database.path") }
        if next.currency != current.currency { restartNeeded.append("currency") }
        if next.readers.contactlessEnabled != current.readers.contactlessEnabled { restartNeeded.append("readers.contactless.enabled") }
        if next.readers.usb != current.readers.usb { restartNeeded.append("readers.usb") }
        if next.metrics != current.metrics { restartNeeded.append("metrics") }
        guard restartNeeded.isEmpty else {
            logger.error(
                "configuration reload refused: these settings only change with a restart",
                metadata: ["settings": "\(restartNeeded.joined(separator: ", "))"])
            await store.record(
                "config.reload_refused", detail: "only a restart changes \(restartNeeded.joined(separator: ", "))", now: clock.now(), logger: logger)
            return
        }
        configuration.replace(with: next)
        logger.info("configuration reloaded", metadata: ["rules_version": "\(next.program.version)"])
        await store.record("config.reloaded", detail: "rules version \(next.program.version)", now: clock.now(), logger: logger)
    }
}
