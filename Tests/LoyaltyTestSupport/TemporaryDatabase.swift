import Foundation

/// A configuration and a migrated database in a temporary directory, without a daemon: for the
/// technician commands that work on the database directly (`member`, `card`, `report`, `db`).
public final class TemporaryDatabase: Sendable {
    public let directory: TemporaryDirectory
    public let config: DaemonConfig
    public let configPath: String

    public var databasePath: String { config.databasePath }

    /// Writes the configuration (changed by `configure`) and creates the database with `loyaltyd db migrate`.
    public init(configure: (inout DaemonConfig) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory()
        var config = DaemonConfig(socketPath: directory.file("till.sock"), databasePath: directory.file("loyaltyd.sqlite"))
        configure(&config)
        self.config = config
        configPath = directory.file("loyaltyd.yaml")
        try config.yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        let migrate = try LoyaltydBinary.run(["db", "migrate"], config: configPath)
        guard migrate.status == 0 else { throw TemporaryDatabaseError(description: "db migrate failed: \(migrate.stderr)") }
    }

    /// Runs `loyaltyd` with `arguments` and this configuration.
    public func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try LoyaltydBinary.run(arguments, config: configPath)
    }

    /// The output of `sql` run by `sqlite3` on the database, without its last line break.
    public func sql(_ query: String) -> String {
        var output = SQLiteShell(path: databasePath).run(query)
        if output.hasSuffix("\n") { output.removeLast() }
        return output
    }

    public func remove() {
        directory.remove()
    }
}

struct TemporaryDatabaseError: Error, CustomStringConvertible {
    var description: String
}

extension LoyaltydBinary {
    /// Runs `loyaltyd` with `arguments` followed by `--config path`.
    public static func run(_ arguments: [String], config path: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(arguments + ["--config", path])
    }
}

extension TemporaryDaemon {
    /// Runs a `loyaltyd` command against this daemon's configuration, socket and database.
    public func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try LoyaltydBinary.run(arguments, config: configPath)
    }
}
