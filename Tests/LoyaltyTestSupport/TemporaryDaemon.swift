import Foundation
import TillClient

/// The real `loyaltyd serve` binary, started on a temporary socket and database, with a
/// `NOTIFY_SOCKET` of its own so tests wait for `READY=1` instead of sleeping.
public final class TemporaryDaemon: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public var config: DaemonConfig
    public let configPath: String
    public let notifications: NotifySocketListener
    public let logPath: String
    private var process: SpawnedProcess?

    public var socketPath: String { config.socketPath }
    public var databasePath: String { config.databasePath }

    /// Prepares a daemon; `configure` may change the configuration before it is written.
    public init(configure: (inout DaemonConfig) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory()
        var config = DaemonConfig(socketPath: directory.file("till.sock"), databasePath: directory.file("loyaltyd.sqlite"))
        configure(&config)
        self.config = config
        configPath = directory.file("loyaltyd.yaml")
        logPath = directory.file("daemon.log")
        notifications = try NotifySocketListener(path: directory.file("notify.sock"))
        try config.yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the daemon and, unless told otherwise, waits for READY=1. `launcher` prefixes the
    /// command line (for example `systemd-socket-activate -l PATH`).
    @discardableResult
    public func start(
        launcher: [String] = [], extraArguments: [String] = [], environment: [String: String] = [:], waitForReady: Bool = true
    ) throws -> TemporaryDaemon {
        // A restarted daemon must say READY=1 again: only messages from now on count.
        let firstMessage = notifications.messages.count
        var variables = LoyaltydBinary.inheritedEnvironment
        variables["NOTIFY_SOCKET"] = notifications.path
        for (key, value) in environment { variables[key] = value }
        let process = try SpawnedProcess(
            launcher + [LoyaltydBinary.path, "serve", "--config", configPath] + extraArguments,
            environment: variables, outputPath: logPath)
        self.process = process
        guard !waitForReady || notifications.waitFor("READY=1", from: firstMessage) else {
            process.send(SIGKILL)
            throw TemporaryDaemonError.notReady(log: self.log)
        }
        return self
    }

    /// Everything the daemon wrote to stdout and stderr so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public var processID: Int32? { process?.processIdentifier }

    public var isRunning: Bool { process?.isRunning ?? false }

    /// A new till connection.
    public func client() throws -> TillClient { try TillClient(path: socketPath) }

    /// Sends `signal` to the daemon.
    public func send(signal: Int32) {
        process?.send(signal)
    }

    /// Kills the daemon with SIGKILL, as a power cut or the OOM killer would, and waits until it is
    /// gone; ``start(launcher:extraArguments:environment:waitForReady:)`` starts it again.
    public func kill() {
        killLaunchedDaemon()
        process?.send(SIGKILL)
        process?.waitForExit(timeoutSeconds: 10)
    }

    /// The daemon's threads, descriptors and memory now (`nil` when it is not running). With a
    /// launcher, the `loyaltyd` process below it is measured.
    public var resources: ProcessResources? {
        guard let pid = processID else { return nil }
        let daemon = ProcessResources.descendant(of: pid, named: "loyaltyd") ?? pid
        return ProcessResources(pid: daemon)
    }

    /// With a launcher that runs loyaltyd as its child (umockdev-wrapper's script), SIGKILL to the
    /// launcher alone would leave the daemon running, adopted by init: it is killed first.
    private func killLaunchedDaemon() {
        guard let pid = processID, process?.isRunning == true,
              let daemon = ProcessResources.descendant(of: pid, named: "loyaltyd"), daemon != pid
        else { return }
        Glibc.kill(daemon, SIGKILL)
    }

    /// SIGTERM, then waits for exit; returns the exit status (or `nil` if it did not exit in time).
    @discardableResult
    public func stop(timeoutSeconds: Double = 20) -> Int32? {
        guard let process else { return nil }
        process.send(SIGTERM)
        return process.waitForExit(timeoutSeconds: timeoutSeconds)
    }

    /// Waits for the process to end; returns its exit status, or `nil` on timeout.
    public func waitForExit(timeoutSeconds: Double) -> Int32? {
        process?.waitForExit(timeoutSeconds: timeoutSeconds)
    }

    /// Kills the daemon with SIGKILL and removes the temporary directory.
    public func cleanUp() {
        killLaunchedDaemon()
        process?.send(SIGKILL)
        process?.waitForExit(timeoutSeconds: 5)
        directory.remove()
    }

    deinit {
        cleanUp()
    }
}

public enum TemporaryDaemonError: Error, CustomStringConvertible {
    case notReady(log: String)

    public var description: String {
        switch self {
        case .notReady(let log): "the daemon did not report READY=1; its log:\n\(log)"
        }
    }
}
