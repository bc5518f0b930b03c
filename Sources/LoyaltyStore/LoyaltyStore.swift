import GRDB
import LoyaltyDomain
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The daemon's SQLite database: members, carriers, purchases, the append-only ledger and the
/// event log, in one file in WAL mode with `synchronous=FULL`, so a commit acknowledged to a till
/// survives a power cut.
///
/// All methods are safe to call concurrently: reads run in parallel, writes are serialised by
/// SQLite's single writer, and every write is one transaction that either happens whole or not at all.
public final class LoyaltyStore: Sendable {
    public let path: String
    let pool: DatabasePool
    let ids: GlobalIDGenerator
    let commits: GroupCommitQueue
    /// The connection that copies the WAL into the database file, apart from the writer; only the
    /// daemon has one, opened at its start (``openCheckpointConnection()``).
    let checkpointer = Mutex<DatabaseQueue?>(nil)

    /// Opens and migrates the database at `path`.
    /// - Parameters:
    ///   - storeID: this store's id from the config; prefixes every id the store creates.
    ///   - createIfMissing: only the daemon and `db migrate` create a database; every other command
    ///     refuses a path that does not exist (``DatabaseMissing``), so a mistyped `--database`
    ///     never leaves an empty file behind.
    public init(path: String, storeID: String, migrate: Bool = true, createIfMissing: Bool = true) throws {
        if !createIfMissing, access(path, F_OK) != 0 { throw DatabaseMissing(path: path) }
        self.path = path
        self.ids = GlobalIDGenerator(storeID: storeID)
        pool = try Self.openDatabase(path: path)
        commits = GroupCommitQueue(pool: pool)
        if migrate {
            try StoreSchema.migrator.migrate(pool)
        }
    }

    /// Opens a database the way the ledger needs it: WAL, foreign keys, and `synchronous=FULL` on
    /// the connection that writes, so that a commit acknowledged to a till survives a power cut.
    /// The benchmark opens its baseline database with this too, so both measure the same thing.
    public static func openDatabase(path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "loyaltyd"
        // Quotes and lookups take a fraction of a millisecond: two readers keep a 2-core box busy,
        // and each further reader would only add its own page cache to the daemon's memory.
        configuration.maximumReaderCount = 2
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // A reader's hot pages (indexes on member and carrier) fit in 1 MiB; the kernel's page
            // cache holds the rest. The writer keeps SQLite's default, room for a whole batch.
            if db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -1024") }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // DatabasePool sets synchronous=NORMAL when it enables WAL, after prepareDatabase has run:
        // set FULL on its one writer connection afterwards.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(commitCheckpointPages)")
        }
        return pool
    }

    /// The writer connection's `PRAGMA synchronous` (2 is FULL), for checks and tests.
    public func writerSynchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try db.cachedValue(Int.self, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Migrations this binary knows that the database has not applied yet.
    public func pendingMigrations() throws -> [String] {
        let applied = try pool.read { db in try StoreSchema.migrator.appliedIdentifiers(db) }
        return StoreSchema.migrator.migrations.filter { !applied.contains($0) }
    }

    /// Applies pending migrations; returns the ones applied.
    @discardableResult
    public func migrate() throws -> [String] {
        let pending = try pendingMigrations()
        try StoreSchema.migrator.migrate(pool)
        return pending
    }

    /// Runs `body` as one all-or-nothing write (a savepoint in a group-committed transaction),
    /// returning once it is durable.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await commits.write(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Runs `body` on a read snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Keeps a ``StoreError`` as it is; a full, read-only or failing disk becomes
    /// ``StoreError/storageUnavailable(_:)`` so the till gets a clear error.
    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else { return .storageUnavailable("\(error)") }
        return switch error.resultCode {
        case .SQLITE_FULL: .storageUnavailable("the disk is full")
        case .SQLITE_READONLY: .storageUnavailable("the database is read-only")
        case .SQLITE_IOERR: .storageUnavailable("disk I/O error")
        case .SQLITE_CANTOPEN: .storageUnavailable("the database file cannot be opened")
        case .SQLITE_BUSY, .SQLITE_LOCKED: .storageUnavailable("the database is busy")
        default: .storageUnavailable(error.message ?? "SQLite error \(error.resultCode.rawValue)")
        }
    }

    /// A quick health view for `status` and `doctor`.
    public func health() async -> StoreHealth {
        do {
            return try await read { db in
                let members = try db.cachedValue(Int.self, sql: "SELECT COUNT(*) FROM members") ?? 0
                let purchases = try db.cachedValue(Int.self, sql: "SELECT COUNT(*) FROM purchases WHERE state = 'committed'") ?? 0
                let applied = try StoreSchema.migrator.appliedIdentifiers(db)
                return StoreHealth(
                    state: "ok", schemaVersion: applied.count, members: members, purchases: purchases, problem: nil)
            }
        } catch {
            return StoreHealth(state: "unavailable", schemaVersion: 0, members: 0, purchases: 0, problem: error.description)
        }
    }

    /// Closes the database; the store must not be used afterwards. The WAL is checkpointed into the
    /// database file first, so a stopped daemon leaves one complete file (a copy of it is a backup).
    public func close() throws {
        try checkpointer.withLock { connection in
            try connection?.close()
            connection = nil
        }
        _ = try? pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try pool.close()
    }
}

/// A command that works on an existing database was given a path with no file.
public struct DatabaseMissing: Error, Sendable, CustomStringConvertible {
    public var path: String

    public var description: String {
        "the database \(path) does not exist: check --database, LOYALTYD_DATABASE or database.path (the daemon creates it when it first starts; `loyaltyd db migrate` creates it too)"
    }
}

/// What `status` reports about the database.
public struct StoreHealth: Sendable, Hashable {
    public var state: String
    public var schemaVersion: Int
    public var members: Int
    public var purchases: Int
    public var problem: String?
}
