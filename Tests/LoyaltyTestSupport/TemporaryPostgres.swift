import Foundation

/// A real PostgreSQL server from Debian's packages, started for a test in a temporary directory
/// on a loopback port, with password (SCRAM) logins over TCP: the chain's centre.
///
/// `initdb` refuses root, so as root the server runs as `nobody` (no user is created, none is left
/// behind); otherwise as the current user. ``stop(immediate:)`` and ``start()`` let a test take the
/// centre away and bring it back on the same port and data.
public final class TemporaryPostgres: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let port: Int
    /// The superuser's password; the admin role `chain_admin` has the same.
    public let password = "centre-secret"
    public static let database = "chain"
    private let binaries: String

    /// The server binaries of the newest PostgreSQL installed, or `nil` when there is none.
    public static var binaries: String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last else { return nil }
        let directory = "\(root)/\(newest)/bin"
        return FileManager.default.isExecutableFile(atPath: "\(directory)/initdb") ? directory : nil
    }

    /// Creates the cluster, starts it, and creates the admin role and the chain's database.
    /// With `certificates`, the server speaks TLS with their server certificate and box roles
    /// (members of `loyalty_box`) may log in only over TLS with a client certificate of their
    /// name; the admin role keeps its password.
    public init(certificates: TemporaryCertificates? = nil) throws {
        guard let binaries = Self.binaries else { throw TemporaryPostgresError("PostgreSQL is not installed (apt-get install postgresql-15)") }
        self.binaries = binaries
        directory = try TemporaryDirectory(prefix: "lyd-pg")
        port = Int.random(in: 20_000...45_000)
        let passwordFile = directory.file("pw")
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        if TestEnvironment.isRoot {
            try SystemCommand.run(["/bin/chown", "-R", "nobody", directory.path])
        }
        try asServer(["\(binaries)/initdb", "-D", directory.file("data"), "-U", "postgres", "--pwfile=\(passwordFile)",
                      "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])
        if let certificates { try useTLS(certificates) }
        try start()
        try psql("CREATE ROLE chain_admin LOGIN CREATEROLE PASSWORD '\(password)'")
        try psql("CREATE DATABASE \(Self.database) OWNER chain_admin")
    }

    private func useTLS(_ certificates: TemporaryCertificates) throws {
        let data = directory.file("data")
        for (from, to) in [(certificates.serverCertificate, "server.crt"), (certificates.serverKey, "server.key"), (certificates.authority, "ca.crt")] {
            try FileManager.default.copyItem(atPath: from, toPath: "\(data)/\(to)")
            if TestEnvironment.isRoot { try SystemCommand.run(["/bin/chown", "nobody", "\(data)/\(to)"]) }
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(data)/server.key")
        let settings = "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'ca.crt'\n"
        let configuration = try String(contentsOfFile: "\(data)/postgresql.conf", encoding: .utf8)
        try (configuration + settings).write(toFile: "\(data)/postgresql.conf", atomically: false, encoding: .utf8)
        let access = try String(contentsOfFile: "\(data)/pg_hba.conf", encoding: .utf8)
        let boxes = "hostssl all +loyalty_box 127.0.0.1/32 cert\nhost all +loyalty_box 127.0.0.1/32 reject\nhost all +loyalty_box ::1/128 reject\n"
        try (boxes + access).write(toFile: "\(data)/pg_hba.conf", atomically: false, encoding: .utf8)
    }

    /// Starts the server (again) on the same port and data. pg_ctl's output goes to a file, not a
    /// pipe: the server it leaves running would hold a pipe open, and reading it would never end.
    public func start() throws {
        try asServer(outputTo: directory.file("pg_ctl.log"), ["\(binaries)/pg_ctl", "-D", directory.file("data"), "-l", directory.file("server.log"), "-w", "-t", "30", "-o",
                      "-k \(directory.path) -p \(port) -c listen_addresses=127.0.0.1 -c fsync=off -c client_connection_check_interval=1s",
                      "start"])
    }

    /// Stops the server: `immediate` is a crash (no checkpoint, connections cut), otherwise a fast shutdown.
    public func stop(immediate: Bool = false) {
        _ = try? asServer(outputTo: directory.file("pg_ctl.log"), ["\(binaries)/pg_ctl", "-D", directory.file("data"), "-m", immediate ? "immediate" : "fast", "-w", "stop"])
    }

    /// `postgres://ROLE:PASSWORD@127.0.0.1:PORT/chain`; `port` names another way in (a proxy),
    /// `host` another name for this machine (`localhost`, as a certificate names it).
    public func url(role: String, password: String? = nil, port: Int? = nil, host: String = "127.0.0.1") -> String {
        "postgres://\(role)\(password.map { ":\($0)" } ?? "")@\(host):\(port ?? self.port)/\(Self.database)"
    }

    /// The admin role's URL, for `loyaltyd chain migrate` and `chain add-box`.
    public var adminURL: String { url(role: "chain_admin", password: password) }

    /// Runs SQL with psql over the Unix socket, as `role` (trusted locally) in `database`;
    /// returns the rows, unaligned, or throws with psql's error.
    @discardableResult
    public func psql(_ sql: String, role: String = "postgres", database: String = "postgres") throws -> String {
        try SystemCommand.run(["/usr/bin/psql", "-h", directory.path, "-p", String(port), "-U", role, "-d", database,
                               "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// Stops the server and removes its directory.
    public func remove() {
        stop(immediate: true)
        directory.remove()
    }

    deinit {
        remove()
    }

    private func asServer(outputTo log: String? = nil, _ arguments: [String]) throws {
        let command = TestEnvironment.isRoot ? ["/usr/sbin/runuser", "-u", "nobody", "--"] + arguments : arguments
        guard let log else {
            try SystemCommand.run(command)
            return
        }
        // Spawned with no descriptor of ours but its log: the server pg_ctl leaves running must not
        // hold a pipe or Foundation's own exit-watching descriptors of this test process.
        let process = try SpawnedProcess(command, environment: ProcessInfo.processInfo.environment, outputPath: log)
        guard process.waitForExit(timeoutSeconds: 60) == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let server = (try? String(contentsOfFile: directory.file("server.log"), encoding: .utf8)) ?? ""
            throw TemporaryPostgresError("\(arguments.joined(separator: " ")) failed: \(text)\n\(server.suffix(2_000))")
        }
    }
}

public struct TemporaryPostgresError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
