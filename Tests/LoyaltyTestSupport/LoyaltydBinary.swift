import Foundation

/// Where the `loyaltyd` binary under test is: `$LOYALTYD_BINARY`, or beside the test bundle in the
/// build folder (SwiftPM builds it because the daemon tests depend on the executable target).
public enum LoyaltydBinary {
    public static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["LOYALTYD_BINARY"] { return explicit }
        var directory = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        while directory.path != "/" {
            directory.deleteLastPathComponent()
            let candidate = directory.appendingPathComponent("loyaltyd").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return ".build/debug/loyaltyd"
    }

    /// This process's environment without the variables that stand in for `--config`, `--database`
    /// and `--socket`: a developer's `make run` export must not point a test's commands at `.local`.
    public static var inheritedEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !["LOYALTYD_CONFIG", "LOYALTYD_DATABASE", "LOYALTYD_SOCKET"].contains($0.key) }
    }

    /// Runs `loyaltyd` with `arguments` to completion; returns its exit status and output.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = inheritedEnvironment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
