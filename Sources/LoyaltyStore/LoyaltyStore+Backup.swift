import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why `db backup` wrote nothing.
public enum BackupError: Error, Sendable, CustomStringConvertible {
    case destinationExists(String)
    case cannotCreate(String, errno: Int32)

    public var description: String {
        switch self {
        case .destinationExists(let path): "\(path) exists; choose a new file name (or pass --overwrite)"
        case .cannotCreate(let path, let code): "cannot create \(path): \(String(cString: strerror(code)))"
        }
    }
}

extension LoyaltyStore {
    /// Copies the database to `destination` while the daemon runs (SQLite's online backup, from a
    /// consistent snapshot), then checks the copy: SQLite's integrity check, every balance against
    /// its ledger, and no bank card at rest.
    ///
    /// The copy holds personal data: it is created owner-only (0600) before a byte is written, as
    /// one self-contained file (rollback journal, so no `-wal`/`-shm` beside it), under a temporary
    /// name that is renamed to `destination` only when complete. An existing `destination` is
    /// refused unless `overwrite` is set.
    public func backup(to destination: String, overwrite: Bool = false) async throws -> VerifyReport {
        if !overwrite, access(destination, F_OK) == 0 { throw BackupError.destinationExists(destination) }
        let partial = "\(destination).partial-\(getpid())"
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BackupError.cannotCreate(partial, errno: errno) }
        Glibc.close(descriptor)
        do {
            let copy = try DatabaseQueue(path: partial)
            try pool.backup(to: copy)
            let report = try await copy.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                return try Self.verify(db)
            }
            try copy.close()
            if !overwrite, access(destination, F_OK) == 0 { throw BackupError.destinationExists(destination) }
            guard rename(partial, destination) == 0 else { throw BackupError.cannotCreate(destination, errno: errno) }
            return report
        } catch {
            Glibc.unlink(partial)
            Glibc.unlink(partial + "-journal")
            throw error
        }
    }
}
