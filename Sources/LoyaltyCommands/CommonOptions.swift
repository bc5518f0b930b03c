import ArgumentParser
import LoyaltyStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LoyaltyConfig

/// The options every command that reads the configuration, the database or the socket takes; each
/// falls back on its variable (`LOYALTYD_CONFIG`, `LOYALTYD_SOCKET`, `LOYALTYD_DATABASE`).
struct CommonOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The configuration file; without it $LOYALTYD_CONFIG, else \(DevLoopEnvironment.defaultConfigPath).", valueName: "file"),
        completion: .file())
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The till socket; without it $LOYALTYD_SOCKET, else the configuration's till_socket.path.", valueName: "path"),
        completion: .file())
    var socket: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The SQLite database; without it $LOYALTYD_DATABASE, else the configuration's database.path.", valueName: "path"),
        completion: .file())
    var database: String?

    /// The configuration file: `--config`, else `LOYALTYD_CONFIG`, else the default.
    var configPath: String { config ?? DevLoopEnvironment.value(DevLoopEnvironment.configVariable) ?? DevLoopEnvironment.defaultConfigPath }

    /// The socket replacing the configuration's: `--socket`, else `LOYALTYD_SOCKET`, else none.
    var socketOverride: String? { socket ?? DevLoopEnvironment.value(DevLoopEnvironment.socketVariable) }

    /// The database replacing the configuration's: `--database`, else `LOYALTYD_DATABASE`, else none.
    var databaseOverride: String? { database ?? DevLoopEnvironment.value(DevLoopEnvironment.databaseVariable) }

    /// Where `configPath` came from, for a message about it.
    var configSource: String {
        if config != nil { return "--config" }
        return DevLoopEnvironment.value(DevLoopEnvironment.configVariable) != nil ? "LOYALTYD_CONFIG" : "the default"
    }

    /// One line about a configuration file that cannot be read: which file, why, and what sets it.
    var unreadableConfigMessage: String? {
        ConfigLoader.unreadableReason(path: configPath).map { reason in
            "cannot read the configuration file \(configPath) (\(configSource)): \(reason); --config FILE or LOYALTYD_CONFIG sets it"
        }
    }

    /// The configuration with the socket and database overrides applied; a file that cannot be read
    /// or is invalid ends the command with status 78.
    func loadConfiguration() throws -> LoyaltyConfiguration {
        if let unreadableConfigMessage {
            printError(unreadableConfigMessage)
            throw ExitCode(78)
        }
        do {
            return try ConfigLoader.load(path: configPath).overriding(socketPath: socketOverride, databasePath: databaseOverride)
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

/// One line for a daemon that did not answer on `socketPath`; when nothing is there, it also says
/// what sets the path, since a mistyped or forgotten socket is the usual cause.
func daemonUnreachableMessage(socketPath: String, error: any Error) -> String {
    let hint = ConfigLoader.unreadableReason(path: socketPath) == "it does not exist"
        ? " (no socket there: --socket, LOYALTYD_SOCKET or the configuration's till_socket.path sets it)" : ""
    return "the daemon does not answer on \(socketPath): \(error)\(hint)"
}
