import Foundation

/// Runs a system tool (mount, useradd, setpriv, …) to completion for the tests that set up real
/// users and file systems; a non-zero exit is an error carrying its output.
public enum SystemCommand {
    /// Standard output and standard error of `arguments[0]` run with the rest as its arguments.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SystemCommandError(description: "\(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
        }
        return text
    }
}

public struct SystemCommandError: Error, CustomStringConvertible {
    public var description: String
}
