import Foundation

/// Runs SQL through Debian's `sqlite3` command on a database file, as a technician would, so tests
/// can inspect or tamper with the file from outside the daemon. Returns stdout and stderr together.
public struct SQLiteShell: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func run(_ sql: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return "cannot run sqlite3: \(error)"
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
