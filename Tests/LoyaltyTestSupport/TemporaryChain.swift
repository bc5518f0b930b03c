import Foundation
import TillClient
import TillProtocol

/// A chain on one machine: a real PostgreSQL centre (``TemporaryPostgres``) migrated by
/// `loyaltyd chain migrate`, and real `loyaltyd serve` boxes registered with `chain add-box`, each
/// with its own store id, role, socket and database.
public final class TemporaryChain: @unchecked Sendable {
    public let centre: TemporaryPostgres
    public private(set) var boxes: [String: TemporaryDaemon] = [:]
    /// The password every box role logs in with.
    public let boxPassword = "box-secret"
    private let passwordFile: String

    /// With `certificates`, the centre requires TLS and a client certificate from every box.
    public init(certificates: TemporaryCertificates? = nil) throws {
        centre = try TemporaryPostgres(certificates: certificates)
        passwordFile = centre.directory.file("box-password")
        try boxPassword.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: passwordFile)
        let migrate = try LoyaltydBinary.run(["chain", "migrate", "--url", centre.adminURL])
        guard migrate.status == 0 else { throw TemporaryPostgresError("chain migrate failed: \(migrate.stderr)") }
    }

    /// Registers a box with the centre and starts its daemon, waiting for READY=1.
    /// - Parameters:
    ///   - intervalMilliseconds: how often it pushes and pulls.
    ///   - link: the way to the centre, when not direct (a ``FaultyLink``).
    ///   - environment: added to the daemon's environment when this call starts it.
    ///   - tls: the `chain.tls` section's lines, instead of a password; the box then names the
    ///     centre `localhost`, the name its certificate carries.
    ///   - configure: anything else in the box's configuration (its rules, say).
    @discardableResult
    public func addBox(
        _ box: String, store: String, intervalMilliseconds: Int = 100, offline: [String] = ["after_ms: 1000"],
        via link: FaultyLink? = nil, environment: [String: String] = [:], tls: [String]? = nil, start: Bool = true,
        configure: (inout DaemonConfig) -> Void = { _ in }
    ) throws -> TemporaryDaemon {
        let role = "box_\(box)"
        let added = try LoyaltydBinary.run([
            "chain", "add-box", "--url", centre.adminURL, "--box", box, "--store", store, "--role", role, "--box-password-file", passwordFile,
        ])
        guard added.status == 0 else { throw TemporaryPostgresError("chain add-box failed: \(added.stderr)") }
        let daemon = try TemporaryDaemon { config in
            configure(&config)
            config.storeID = store
            config.chain = """
                  url: \(centre.url(role: role, port: link?.port, host: tls == nil ? "127.0.0.1" : "localhost"))
                \(tls.map { "  tls:\n" + $0.map { "    " + $0 + "\n" }.joined() } ?? "  password_file: \(passwordFile)")
                  interval_ms: \(intervalMilliseconds)
                  offline:
                \(offline.map { "    " + $0 }.joined(separator: "\n"))

                """
        }
        boxes[box] = daemon
        if start { try daemon.start(environment: environment) }
        return daemon
    }

    public func box(_ name: String) -> TemporaryDaemon { boxes[name]! }

    /// The member as each box's till sees it (`member.lookup` by card), by box name.
    public func lookups(card: JSONValue) -> [String: JSONValue] {
        var seen: [String: JSONValue] = [:]
        for (name, daemon) in boxes where daemon.isRunning {
            seen[name] = try? daemon.client().result("member.lookup", .object([("card", card)]))
        }
        return seen
    }

    /// Waits until every running box answers `member.lookup` for `card` with the same member
    /// object (id, balance, spendable, tier, coupons); returns it, or `nil` after `timeoutSeconds`.
    public func converged(card: JSONValue, timeoutSeconds: Double = 15) -> JSONValue? {
        var agreed: JSONValue?
        _ = waitUntil(timeoutSeconds: timeoutSeconds) {
            let seen = lookups(card: card)
            let running = boxes.values.filter(\.isRunning).count
            guard seen.count == running, let first = seen.values.first, seen.values.allSatisfy({ $0 == first }) else { return false }
            agreed = first
            return true
        }
        return agreed
    }

    /// Facts the centre holds.
    public func centralFacts() throws -> Int {
        Int(try centre.psql("SELECT count(*) FROM loyalty_chain.facts", database: TemporaryPostgres.database)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Facts still waiting in a box's outbox.
    public func pending(_ box: String) -> Int {
        Int(SQLiteShell(path: self.box(box).databasePath).run("SELECT count(*) FROM chain_outbox;").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Waits until every running box has pushed everything and pulled up to the centre's head.
    public func settled(timeoutSeconds: Double = 15) throws -> Bool {
        try waitUntil(timeoutSeconds: timeoutSeconds) {
            let running = boxes.filter { $0.value.isRunning }
            // Every box's outbox empty first, then the head: a head read before a box's last push
            // would let the others' cursors match it while that push is still unread.
            guard running.keys.allSatisfy({ pending($0) == 0 }) else { return false }
            let head = try centre.psql("SELECT coalesce(max(seq), 0) FROM loyalty_chain.facts", database: TemporaryPostgres.database)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return running.values.allSatisfy { daemon in
                SQLiteShell(path: daemon.databasePath).run("SELECT value FROM chain_state WHERE key = 'cursor';")
                    .trimmingCharacters(in: .whitespacesAndNewlines) == head
            }
        }
    }

    public func remove() {
        for daemon in boxes.values { daemon.cleanUp() }
        centre.remove()
    }
}
