import ArgumentParser
import Foundation
import LoyaltyConfig
import LoyaltyStore

extension LoyaltyConfiguration {
    /// The configured database, for commands that read or change members, cards, sales and
    /// reports: it must exist and have every migration this binary knows (otherwise exit status 1,
    /// saying what to run). Safe beside the running daemon.
    func openCurrentStore() throws -> LoyaltyStore {
        let store = try openStore()
        let pending: [String]
        do {
            pending = try store.pendingMigrations()
        } catch {
            printError("cannot read the schema of \(databasePath): \(error)")
            throw ExitCode.failure
        }
        guard pending.isEmpty else {
            printError("the database \(databasePath) needs migrations (\(pending.joined(separator: ", "))): run `loyaltyd db migrate` (the daemon also migrates when it starts)")
            throw ExitCode.failure
        }
        return store
    }
}

/// Ends a member or card command on a refused operation: the reason on standard error, exit status 1.
func failure(_ error: MemberCareError) -> ExitCode {
    printError(error.description)
    return .failure
}

/// The time as the technician commands show it: UTC, ISO 8601.
func timestamp(_ milliseconds: Int64) -> String {
    Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
}
