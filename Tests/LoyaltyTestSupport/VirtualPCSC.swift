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
    /// The TCP port of the first virtual reader's card side (the next ones follow). Ports are
    /// machine-wide, so each test process takes four free ones of its own (two vpcd entries).
    public static let firstPort: UInt16 = {
        var candidate = 0x8D11 + 4 * (Int(getpid()) % 1_000)
        var tries = 0
        while tries < 1_000, !(0..<4).allSatisfy({ isFree(candidate + $0) }) {
            candidate = candidate + 4 > 0x8D11 + 4_000 ? 0x8D11 : candidate + 4
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
    /// The reader.conf entries: each is a vpcd reader of two slots, whose card sides are the
    /// ``VirtualCard`` reader indexes `firstIndex` and `firstIndex + 1` (0 or 2).
    private var entries: [(name: String, firstIndex: Int)]

    /// - Parameter readers: the vpcd entries, by FRIENDLYNAME; pcscd lists each as two readers,
    ///   `NAME 00 00` and `NAME 00 01` (the index goes up for a name already taken).
    public init(readers: [(name: String, firstIndex: Int)] = [("Loyaltyd Test PCD", 0)]) throws {
        _ = Self.socketDirectory
        directory = try TemporaryDirectory(prefix: "loyaltyd-pcsc")
        entries = readers
        try writeReaderConf()
    }

    /// vpcd keeps its readers in one static table by slot number, so two entries of one driver
    /// would share slots: each entry after the first loads its own copy of the driver file.
    private func writeReaderConf() throws {
        try entries.enumerated().map { position, entry in
            let port = String(Self.firstPort + UInt16(entry.firstIndex), radix: 16, uppercase: true)
            var driver = Self.driver
            if position > 0 {
                driver = directory.file("libifdvpcd-\(position).so")
                if !FileManager.default.fileExists(atPath: driver) { try FileManager.default.copyItem(atPath: URL(fileURLWithPath: Self.driver).resolvingSymlinksInPath().path, toPath: driver) }
            }
            return """
                FRIENDLYNAME "\(entry.name)"
                DEVICENAME   /dev/null:0x\(port)
                LIBPATH      \(driver)
                CHANNELID    0x\(port)

                """
        }.joined().write(toFile: directory.file("reader.conf"), atomically: true, encoding: .utf8)
    }

    /// Stops pcscd and starts it again with other reader.conf entries: readers "unplugged" while
    /// it was down are gone, the others come back, in the new order.
    public func restart(readers: [(name: String, firstIndex: Int)]) throws {
        stop()
        entries = readers
        try writeReaderConf()
        try start()
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
            guard readers.contains(entries[0].name + " 00 00") else {
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
        guard waitUntil(timeoutSeconds: 20, { Self.listedReaders()?.count == 2 * entries.count }) else {
            let log = (try? String(contentsOfFile: directory.file("pcscd.log"), encoding: .utf8)) ?? ""
            throw VirtualPCSCError(description: "pcscd started but the virtual readers did not appear; its log ends:\n" + log.suffix(2_000))
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
