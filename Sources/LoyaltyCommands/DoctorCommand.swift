import ArgumentParser
import TillProtocol

/// `loyaltyd doctor`: what is wrong, in one command.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check everything the daemon depends on; one line per check, and what to do for each failure.",
        discussion: """
            Checks the configuration, the database (opens, migrations current, integrity, balances \
            against the ledger), free disk space, the till socket (exists, mode, answers status), \
            pcscd and its readers, kernel NFC modules that take readers from pcscd, each configured \
            USB reader and its device permissions, members whose card is a random UID (a phone or bank \
            card enrolled before those were refused; listed by member id), and the system clock. Exit \
            status 1 when a check fails.
            """
    )

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() async throws {
        let checks = await Diagnostics(configPath: options.configPath, socketOverride: options.socketOverride, databaseOverride: options.databaseOverride).run()
        if json {
            print(JSONWriter.string(of: .object([
                ("ok", .bool(!checks.contains { $0.outcome == .fail })),
                ("checks", .array(checks.map { check in
                    .object([
                        ("name", .string(check.name)), ("result", .string(check.outcome.rawValue)),
                        ("detail", .string(check.detail)), ("remedy", check.remedy.map(JSONValue.string) ?? .null),
                    ])
                })),
            ])))
        } else {
            for check in checks {
                print("\(check.outcome.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0))  \(check.name): \(check.detail)")
                if let remedy = check.remedy { print("      → \(remedy)") }
            }
        }
        if checks.contains(where: { $0.outcome == .fail }) { throw ExitCode.failure }
    }
}
