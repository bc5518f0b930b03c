import ArgumentParser
import Foundation
import LoyaltyDomain
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
            discussion: """
                Uses SQLite's online backup from one consistent snapshot. The copy is one self-contained \
                file, readable by its owner only (mode 0600: it holds personal data), written under a \
                temporary name and renamed when complete. Exit status 1 when DEST exists (without \
                --overwrite), the database does not exist, or the copy fails its check.
                """
        )

        @OptionGroup var options: CommonOptions
        @Flag(help: "Replace DEST if it exists (the new copy is complete before it replaces the old one).") var overwrite = false
        @Argument(help: ArgumentHelp("Where to write the copy (must not exist, unless --overwrite).", valueName: "dest"), completion: .file())
        var destination: String

        func run() async throws {
            let settings = try options.loadConfiguration()
            let store = try settings.openStore()
            do {
                let report = try await store.backup(to: destination, overwrite: overwrite)
                print("backup written to \(destination) (owner-only, mode 0600)")
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
            abstract: "Apply pending schema migrations (the daemon also does this when it starts).",
            discussion: """
                Creates the database when it does not exist yet (and says so). Each run also blocks any \
                bank card number found stored as a card and replaces it with a masked marker \
                (bank-card-removed-****1111), printing how many. Exit status 1 when a migration fails.
                """
        )

        @OptionGroup var options: CommonOptions

        func run() async throws {
            let settings = try options.loadConfiguration()
            if !FileManager.default.fileExists(atPath: settings.databasePath) {
                print("creating the database \(settings.databasePath)")
            }
            let store = try settings.openStore(createIfMissing: true)
            do {
                let applied = try store.migrate()
                print(applied.isEmpty ? "the schema is current" : "applied: \(applied.joined(separator: ", "))")
                let masked = try await store.maskBankCardsAtRest(nowMilliseconds: WallClock.system.now())
                if !masked.isEmpty {
                    print("blocked and masked \(masked.count) bank card number(s) stored as cards: \(masked.map(\.masked).joined(separator: ", "))")
                }
            } catch {
                printError("migration failed: \(error)")
                throw ExitCode.failure
            }
        }
    }
}
