import GRDB

/// What one background checkpoint found and did, in WAL frames (one page each).
public struct WALCheckpoint: Sendable, Equatable {
    /// Frames in the WAL when the checkpoint ran.
    public var walFrames: Int
    /// Frames copied into the database file so far; equal to `walFrames` when it is all copied.
    public var checkpointedFrames: Int
}

extension LoyaltyStore {
    /// WAL pages beyond which the writer checkpoints inside a commit (SQLite's auto-checkpoint).
    ///
    /// In the daemon, ``checkpointInBackground()`` keeps the WAL well below this, so a till's commit
    /// never waits for pages being copied into the database file and that file's fsync (at SQLite's
    /// default of 1,000 pages, every few dozen commits did); this is the safety net for when the
    /// background checkpoint cannot keep up, and the only checkpoint of the one-shot commands.
    static let commitCheckpointPages = 16_000

    /// Copies committed WAL pages into the database file from a connection of its own (SQLite's
    /// PASSIVE checkpoint): it never blocks the writer or a reader, and stops early at pages a
    /// reader still needs; the next call goes on from there.
    public func checkpointInBackground() async throws(StoreError) -> WALCheckpoint {
        do {
            let connection = try openCheckpointConnection()
            return try await connection.writeWithoutTransaction { db in
                let (walFrames, checkpointedFrames) = try db.checkpoint(.passive)
                return WALCheckpoint(walFrames: walFrames, checkpointedFrames: checkpointedFrames)
            }
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Opens the background checkpoint's connection now rather than at the first checkpoint, so the
    /// daemon holds all its descriptors from the start (a later one would look like a leak).
    @discardableResult
    public func openCheckpointConnection() throws(StoreError) -> DatabaseQueue {
        do {
            return try checkpointer.withLock { connection in
                if let connection { return connection }
                let opened = try DatabaseQueue(path: path)
                connection = opened
                return opened
            }
        } catch {
            throw Self.storeError(error)
        }
    }
}
