import Foundation

/// A child process started with `posix_spawn`, with every signal unblocked and at its default
/// action, as systemd starts a service. (A child of a test thread otherwise inherits that thread's
/// blocked signals, and a pcscd or daemon that cannot receive SIGTERM is not the real thing.)
public final class SpawnedProcess: @unchecked Sendable {
    public let processIdentifier: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `arguments[0]` (an absolute path) with `arguments`, the given environment, and
    /// standard output and error appended to `outputPath` (or discarded).
    public init(_ arguments: [String], environment: [String: String], outputPath: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // Nothing of the test process's but standard input, output and error reaches the program: a
        // pipe another test reads, inherited by a server that outlives its starter (pg_ctl's
        // postgres), would keep that read from ever ending. bash closes the rest (dash cannot name
        // descriptors above 9) and execs
        // the program in its place (same pid).
        let closeInherited = #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@""#
        let arguments = ["/bin/bash", "-c", closeInherited, "bash"] + arguments
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        processIdentifier = pid
    }

    /// The exit status (or 128 + signal), once the process has ended; `nil` while it runs.
    public var terminationStatus: Int32? {
        lock.withLock {
            if exitStatus == nil {
                var status: Int32 = 0
                if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier {
                    let signal = status & 0x7F
                    exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
                }
            }
            return exitStatus
        }
    }

    public var isRunning: Bool { terminationStatus == nil }

    public func send(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Waits for the process to end; its status, or `nil` when it did not end in time.
    @discardableResult
    public func waitForExit(timeoutSeconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if let status = terminationStatus { return status }
            usleep(5_000)
        }
        return terminationStatus
    }

    deinit {
        if isRunning {
            kill(processIdentifier, SIGKILL)
            waitForExit(timeoutSeconds: 5)
        }
    }
}
