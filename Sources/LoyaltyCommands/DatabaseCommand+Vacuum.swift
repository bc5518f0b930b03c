import ArgumentParser
import LoyaltyStore

extension DatabaseCommand {
    /// `db vacuum`: gives the space of deleted rows back to the file system.
    struct Vacuum: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite the database without its free pages (SQLite VACUUM) and print the size before and after.",
            discussion: """
                It holds the database's write lock while it runs (seconds for a large database): the \
                daemon's commits wait meanwhile, and a till is answered storage_unavailable after 10 s, \
                so run it when the store is closed or the daemon is stopped. Needs free disk space of \
                about the database's size. Exit status 1 when it fails.
                """
        )

        @OptionGroup var options: CommonOptions

        func run() async throws {
            let settings = try options.loadConfiguration()
            let store = try settings.openStore()
            do {
                let outcome = try store.vacuum()
                print("\(settings.databasePath): \(outcome.bytesBefore) bytes before (\(outcome.freePagesBefore) free page(s)), \(outcome.bytesAfter) bytes after")
            } catch {
                printError("vacuum failed: \(error)")
                throw ExitCode.failure
            }
        }
    }
}
