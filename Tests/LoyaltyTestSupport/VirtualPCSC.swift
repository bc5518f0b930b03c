import ContactlessReaders
import Foundation

/// A real pcscd with two virtual readers from Debian's vsmartcard-vpcd driver, whose card side
/// listens on TCP ports of this test process's own (not the 0x8C7B of /etc/reader.conf.d/vpcd).
///
/// pcscd's server socket is always /run/pcscd/pcscd.comm, so this test process's pcscd runs in a
/// mount namespace of its own where a private directory is bound over /run/pcscd, and every client
/// (this process and the daemons it starts) is pointed at that directory's socket by
/// `PCSCLITE_CSOCK_NAME`: a system pcscd and another `make test` run beside it never meet ours.
/// Starting it needs root (unshare, mount), as in CI; it stops only the one it started.
public final class VirtualPCSC: @unchecked Sendable {
    /// The TCP port of the first virtual reader's card side (the second reader's is the next one).
    /// Ports are machine-wide, so each test process takes a free pair of its own.
    public static let firstPort: UInt16 = {
        var candidate = 0x8D11 + 2 * (Int(getpid()) % 2_000)
        var tries = 0
        while tries < 2_000, !(isFree(candidate) && isFree(candidate + 1)) {
            candidate = candidate + 2 > 0x8D11 + 4_000 ? 0x8D11 : candidate + 2
            tries += 1
        }
        return UInt16(candidate)
    }()

    /// Whether nothing listens on TCP `port` (a listening socket could be bound to it).
    private static func isFree(_ port: Int) -> Bool {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
    public static let readerNames = ["Loyaltyd Test PCD 00 00", "Loyaltyd Test PCD 00 01"]
    static let driver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
    static let pcscd = "/usr/sbin/pcscd"

    private let directory: TemporaryDirectory
    private var process: SpawnedProcess?

    public init() throws {
        _ = Self.socketDirectory
        directory = try TemporaryDirectory(prefix: "loyaltyd-pcsc")
        try """
            FRIENDLYNAME "Loyaltyd Test PCD"
            DEVICENAME   /dev/null:0x\(String(Self.firstPort, radix: 16, uppercase: true))
            LIBPATH      \(Self.driver)
            CHANNELID    0x\(String(Self.firstPort, radix: 16, uppercase: true))

            """.write(toFile: directory.file("reader.conf"), atomically: true, encoding: .utf8)
    }

    /// Whether this machine can run the stack: pcscd and the vpcd driver installed, and root (to
    /// create /run/pcscd) unless a pcscd with our readers already runs.
    public static var prerequisites: (ok: Bool, missing: String) {
        if !FileManager.default.isExecutableFile(atPath: pcscd) { return (false, "pcscd (Debian package pcscd)") }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") { return (false, "unshare (Debian package util-linux)") }
        if !FileManager.default.fileExists(atPath: driver) { return (false, "the vpcd driver (Debian package vsmartcard-vpcd)") }
        if getuid() != 0 { return (false, "root, to start pcscd") }
        return (true, "")
    }

    /// The directory holding this process's pcscd socket (`pcscd.comm`), set in `PCSCLITE_CSOCK_NAME`
    /// before any PC/SC call: libpcsclite reads the variable once per process, and the daemons this
    /// process starts inherit it.
    public static let socketDirectory: String = {
        let directory = (try? TemporaryDirectory(prefix: "loyaltyd-pcscd"))?.path ?? "/tmp/loyaltyd-pcscd-\(getpid())"
        chmod(directory, 0o755)  // daemons started as another user reach the socket too
        setenv("PCSCLITE_CSOCK_NAME", directory + "/pcscd.comm", 1)
        return directory
    }()

    /// The readers pcscd lists now, or `nil` when it is not reachable.
    public static func listedReaders() -> [String]? {
        _ = socketDirectory
        return try? ContactlessMonitor.snapshot().map(\.name)
    }

    /// Starts pcscd unless one with our readers already runs; waits until our readers are listed.
    public func start() throws {
        if let readers = Self.listedReaders() {
            guard readers.contains(Self.readerNames[0]) else {
                throw VirtualPCSCError(description: "a pcscd without the test readers already runs (readers: \(readers)); stop it first")
            }
            return
        }
        // unshare execs sh, which execs pcscd: the process started is pcscd itself, in its own mount namespace.
        process = try SpawnedProcess(
            [
                "/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                "mkdir -p /run/pcscd && mount --bind \"$0\" /run/pcscd && exec \"$1\" --foreground --config \"$2\"",
                Self.socketDirectory, Self.pcscd, directory.file("reader.conf"),
            ],
            environment: ["PATH": "/usr/sbin:/usr/bin:/bin"], outputPath: directory.file("pcscd.log"))
        guard waitUntil(timeoutSeconds: 20, { Self.listedReaders()?.contains(Self.readerNames[1]) == true }) else {
            throw VirtualPCSCError(description: "pcscd started but the virtual readers did not appear")
        }
    }

    /// Stops the pcscd this object started (SIGTERM), and waits until it is gone.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.send(SIGTERM)
        if process.waitForExit(timeoutSeconds: 10) == nil {
            process.send(SIGKILL)
            process.waitForExit(timeoutSeconds: 5)
        }
        _ = waitUntil(timeoutSeconds: 10) { Self.listedReaders() == nil }
    }

    /// Kills pcscd with SIGKILL, as a crash would.
    public func kill() {
        guard let process, process.isRunning else { return }
        process.send(SIGKILL)
        process.waitForExit(timeoutSeconds: 10)
        // A killed pcscd leaves its socket file behind; the next start replaces it.
        _ = waitUntil(timeoutSeconds: 10) { Self.listedReaders() == nil }
    }

    public var isRunning: Bool { process?.isRunning ?? false }

    deinit {
        stop()
        directory.remove()
    }
}

public struct VirtualPCSCError: Error, CustomStringConvertible {
    public var description: String
}
