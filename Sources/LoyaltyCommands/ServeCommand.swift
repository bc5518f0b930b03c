import ArgumentParser
import Logging
import LoyaltyDaemon
import SystemdSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `loyaltyd serve`: the daemon itself.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: the till socket, the card readers and the ledger.",
        discussion: """
            Runs in the foreground and logs to standard error (with journald priorities under systemd). \
            Supports systemd's Type=notify (READY=1, STATUS=, WATCHDOG=1, STOPPING=1) and socket activation \
            of the till socket. SIGTERM or SIGINT: stop accepting, finish requests in flight, exit 0. \
            SIGHUP: reload the configuration; an invalid file is refused and the running one stays.
            """
    )

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let settings = try options.loadConfiguration()
        let environment = currentEnvironment()
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, level: level, environment: environment) }
        let logger = Logger(label: "loyaltyd")
        do {
            let daemon = try buildDaemon(
                .init(
                    configuration: settings, socketOverride: options.socketOverride, databaseOverride: options.databaseOverride,
                    environment: environment),
                logger: logger)
            try await daemon.run()
        } catch {
            logger.critical("loyaltyd cannot run: \(error)")
            throw ExitCode.failure
        }
    }
}

/// The process environment as a dictionary, read once.
func currentEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let text = String(cString: entry)
        if let equals = text.firstIndex(of: "=") {
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        pointer += 1
    }
    return result
}
