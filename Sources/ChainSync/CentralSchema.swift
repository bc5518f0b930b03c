import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The central schema loyaltyd owns: numbered SQL migrations (CentralSchema/*.sql, embedded in the
/// binary), applied in order by `loyaltyd chain migrate`, each in one transaction with its record
/// in `loyalty_chain.schema_migrations`. A released migration is never edited; changes come as
/// the next number, adding first and removing later, so boxes on the previous version keep working.
public enum CentralSchema {
    /// Every migration this binary knows, in order.
    public static let migrations: [(version: String, sql: String)] = [
        ("001-chain-facts", String(decoding: PackageResources.chain_001_facts_sql, as: UTF8.self)),
        ("002-numbered-at-insert", String(decoding: PackageResources.chain_002_numbered_at_insert_sql, as: UTF8.self)),
        ("003-chain-overview", String(decoding: PackageResources.chain_003_chain_overview_sql, as: UTF8.self)),
        ("004-promotion-uses", String(decoding: PackageResources.chain_004_promotion_uses_sql, as: UTF8.self)),
    ]

    /// Applies the migrations the centre has not applied yet; returns their versions. Safe to run
    /// from two places at once: an advisory lock serialises them.
    public static func migrate(_ address: CentralDatabaseAddress, logger: Logger) async throws -> [String] {
        try await withConnection(address, logger: logger) { connection in
            try await run("CREATE SCHEMA IF NOT EXISTS loyalty_chain", on: connection, logger: logger)
            try await run("""
                CREATE TABLE IF NOT EXISTS loyalty_chain.schema_migrations (
                    version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, on: connection, logger: logger)
            var applied: [String] = []
            for (version, sql) in migrations {
                try await run("BEGIN", on: connection, logger: logger)
                try await run("SELECT pg_advisory_xact_lock(7720251)", on: connection, logger: logger)
                do {
                    let done = try await connection.query(
                        "SELECT 1 FROM loyalty_chain.schema_migrations WHERE version = \(version)", logger: logger)
                    var present = false
                    for try await _ in done { present = true }
                    if !present {
                        for statement in SQLScript.statements(sql) { try await run(statement, on: connection, logger: logger) }
                        try await connection.query("INSERT INTO loyalty_chain.schema_migrations (version) VALUES (\(version))", logger: logger)
                        applied.append(version)
                    }
                    try await run("COMMIT", on: connection, logger: logger)
                } catch {
                    try? await run("ROLLBACK", on: connection, logger: logger)
                    throw error
                }
            }
            return applied
        }
    }

    /// Creates a box's login role (member of `loyalty_box`, with a password for SCRAM or none for a
    /// client certificate) and registers it for `store`: head office's part of adding a box.
    public static func addBox(
        _ address: CentralDatabaseAddress, boxID: String, storeID: String, role: String, password: String?, logger: Logger
    ) async throws {
        guard role.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !role.isEmpty else {
            throw ChainConfigurationError("--role: letters, digits and _ only")
        }
        try await withConnection(address, logger: logger) { connection in
            try await run("BEGIN", on: connection, logger: logger)
            do {
                let exists = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)", logger: logger)
                var present = false
                for try await _ in exists { present = true }
                if !present {
                    let secret = password.map { " PASSWORD '" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? ""
                    try await run("CREATE ROLE \"\(role)\" LOGIN\(secret) IN ROLE loyalty_box", on: connection, logger: logger)
                    try await run("ALTER ROLE \"\(role)\" SET idle_in_transaction_session_timeout = '60s'", on: connection, logger: logger)
                }
                try await connection.query("SELECT loyalty_chain.register_box(\(boxID), \(storeID), \(role))", logger: logger)
                try await run("COMMIT", on: connection, logger: logger)
            } catch {
                try? await run("ROLLBACK", on: connection, logger: logger)
                throw error
            }
        }
    }

    /// One statement of our own text (never a value from outside: those are bound).
    private static func run(_ sql: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    static func withConnection<T: Sendable>(
        _ address: CentralDatabaseAddress, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try address.connectionConfiguration(), id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
