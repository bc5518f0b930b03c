import ArgumentParser
import LoyaltyStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LoyaltyConfig

/// The options every command that reads the configuration, the database or the socket takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String = "/etc/loyaltyd/loyaltyd.yaml"

    @Option(name: .long, help: ArgumentHelp("The till socket, instead of the configuration's till_socket.path.", valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp("The SQLite database, instead of the configuration's database.path.", valueName: "path"))
    var database: String?

    /// The configuration with `--socket` and `--database` applied; an invalid file ends the command with status 78.
    func loadConfiguration() throws -> LoyaltyConfiguration {
        do {
            return try ConfigLoader.load(path: config).overriding(socketPath: socket, databasePath: database)
        } catch {
            printError("invalid configuration: \(error)")
            throw ExitCode(78)
        }
    }
}

extension LoyaltyConfiguration {
    /// The configured database, opened as it is (no migration); a failure ends the command with
    /// status 1. Only `db migrate` passes `createIfMissing`: every other command refuses a path with
    /// no database in one line, so a mistyped `--database` never leaves an empty file behind.
    func openStore(createIfMissing: Bool = false) throws -> LoyaltyStore {
        do {
            return try LoyaltyStore(path: databasePath, storeID: storeID, migrate: false, createIfMissing: createIfMissing)
        } catch let missing as DatabaseMissing {
            printError(missing.description)
            throw ExitCode.failure
        } catch {
            printError("cannot open the database \(databasePath): \(error)")
            throw ExitCode.failure
        }
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    var standardError = StandardError()
    print(message, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        let bytes = Array(string.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            offset += written
        }
    }
}
