import ArgumentParser
import Foundation
import LoyaltyStore

/// `loyaltyd db …`: database care.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check and maintain the database.",
        subcommands: [Verify.self, Backup.self, Migrate.self, Vacuum.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every balance from the ledger and run SQLite's integrity check.",
            discussion: "Safe while the daemon runs (it reads one consistent snapshot). Exit status 1 when anything is wrong."
        )

        @OptionGroup var options: CommonOptions
        @Flag(help: "Print one JSON object instead of text.") var json = false

        func run() async throws {
            let settings = try options.loadConfiguration()
            let store = try settings.openStore()
            let report: VerifyReport
            do {
                report = try await store.verify()
            } catch {
                printError("cannot read the database \(settings.databasePath): \(error)")
                throw ExitCode.failure
            }
            if json {
                print(VerifyReportFormat.json(report))
            } else {
                print(VerifyReportFormat.text(report, path: settings.databasePath))
            }
            if !report.isClean { throw ExitCode.failure }
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the database to DEST while the daemon runs, then check the copy.",
            discussion: "Uses SQLite's online backup from one consistent snapshot. Exit status 1 when the copy fails its check."
        )

        @OptionGroup var options: CommonOptions
        @Argument(help: ArgumentHelp("Where to write the copy (must not exist).", valueName: "dest")) var destination: String

        func run() async throws {
            let settings = try options.loadConfiguration()
            guard !FileManager.default.fileExists(atPath: destination) else {
                printError("\(destination) exists; choose a new file name")
                throw ExitCode.failure
            }
            let store = try settings.openStore()
            do {
                let report = try await store.backup(to: destination)
                print("backup written to \(destination)")
                print(VerifyReportFormat.text(report, path: destination))
                if !report.isClean { throw ExitCode.failure }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                printError("backup failed: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending schema migrations (the daemon also does this when it starts)."
        )

        @OptionGroup var options: CommonOptions

        func run() async throws {
            let settings = try options.loadConfiguration()
            let store = try settings.openStore()
            do {
                let applied = try store.migrate()
                print(applied.isEmpty ? "the schema is current" : "applied: \(applied.joined(separator: ", "))")
            } catch {
                printError("migration failed: \(error)")
                throw ExitCode.failure
            }
        }
    }
}
