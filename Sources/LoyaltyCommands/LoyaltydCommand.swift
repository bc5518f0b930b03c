import ArgumentParser
import LoyaltyDaemon

/// `loyaltyd`: the daemon (`serve`) and the commands technicians use beside it.
public struct LoyaltydCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "loyaltyd",
        abstract: "Loyalty-card daemon for store tills: card readers in, exact points and discounts out.",
        discussion: """
            `loyaltyd serve` runs the daemon (under systemd as loyaltyd.service). The other commands \
            read the same configuration and database, or ask the running daemon over its till socket.
            Environment: LOYALTYD_CONFIG, LOYALTYD_DATABASE and LOYALTYD_SOCKET stand in for --config, \
            --database and --socket when the flag is not given (a flag wins over its variable, the variable \
            over the configuration file and the default /etc/loyaltyd/loyaltyd.yaml); `make run` prints the \
            line that exports them for a checkout.
            Exit status: 0 success, 1 failure or a problem found, 64 usage error, 78 invalid configuration.
            """,
        version: LoyaltydVersion.current,
        subcommands: [
            ServeCommand.self, StatusCommand.self, DoctorCommand.self, ReadersCommand.self, WatchCommand.self, LogCommand.self, DatabaseCommand.self,
            ConfigCommand.self, TillCommand.self, MemberCommand.self, CardCommand.self, CodesCommand.self, ReportCommand.self, ChainCommand.self,
            UdevRulesCommand.self,
        ]
    )

    public init() {}
}
