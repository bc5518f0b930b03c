import ArgumentParser
import LoyaltyConfig

/// `loyaltyd config …`: the configuration file.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the configuration file.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a configuration file; on a mistake print its file, line and key and exit with 78.",
            discussion: "Run it before installing a changed file or sending SIGHUP (systemctl reload loyaltyd)."
        )

        @OptionGroup var options: CommonOptions

        func run() async throws {
            let settings = try options.loadConfiguration()
            print("\(options.config): ok")
            print("store \(settings.storeID), currency \(settings.currency.code), \(settings.program.rules.count) rule(s), rules version \(settings.program.version)")
        }
    }
}
