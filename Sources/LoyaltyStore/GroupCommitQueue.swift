import GRDB
import Synchronization

/// Writes the store's transactions with group commit: while one batch is being made durable
/// (its fsync), the writes that arrive wait, and then go to disk together in the next transaction,
/// one fsync for all of them. A till is answered only after its batch is durable.
///
/// Each write runs in its own savepoint, so one that fails (a conflicting retry, a refused refund)
/// is rolled back alone and the others in its batch still commit. With a single till there is
/// nothing to wait for and every batch holds one write.
final class GroupCommitQueue: Sendable {
    /// One write waiting for its batch.
    private final class Pending: Sendable {
        let work: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
        /// What `work` gave inside the transaction; sent only once the batch is durable.
        let outcome = Mutex<Result<any Sendable, any Error>?>(nil)

        init(work: @escaping @Sendable (Database) throws -> any Sendable, continuation: CheckedContinuation<any Sendable, any Error>) {
            self.work = work
            self.continuation = continuation
        }
    }

    private struct State {
        var waiting: [Pending] = []
        var writing = false
    }

    /// At most this many writes share one transaction, so a burst cannot make one batch slow.
    static let maximumBatch = 64

    private let pool: DatabasePool
    private let state = Mutex(State())

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `work` inside a write transaction shared with other writes, returning once it is durable.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let pending = Pending(work: { db in try work(db) }, continuation: continuation)
            let startWriter = state.withLock { state -> Bool in
                state.waiting.append(pending)
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriter {
                // The batches are written on the database's own writer thread, without a task.
                pool.asyncWriteWithoutTransaction { db in self.writeBatches(db) }
            }
        }
        return value as! T  // `work` returned a T: the cast cannot fail
    }

    /// Writes batches until nothing is waiting. Runs on the writer connection's thread.
    private func writeBatches(_ db: Database) {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let batch = Array(state.waiting.prefix(Self.maximumBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try db.inTransaction {
                    for pending in batch {
                        let result: Result<any Sendable, any Error>
                        do {
                            var value: (any Sendable)?
                            try db.inSavepoint {
                                value = try pending.work(db)
                                return .commit
                            }
                            result = .success(value!)
                        } catch {
                            result = .failure(error)
                        }
                        pending.outcome.withLock { $0 = result }
                    }
                    // SQLite rolls a whole transaction back on some errors (a full disk): then
                    // nothing of this batch may be reported as written.
                    guard db.isInsideTransaction else {
                        throw DatabaseError(resultCode: .SQLITE_ABORT, message: "the transaction was rolled back")
                    }
                    return .commit
                }
                for pending in batch {
                    pending.continuation.resume(with: pending.outcome.withLock { $0 } ?? .failure(CancellationError()))
                }
            } catch {
                for pending in batch {
                    // A write that failed on its own keeps its own error; the rest share the batch's.
                    if case .failure(let own)? = pending.outcome.withLock({ $0 }) {
                        pending.continuation.resume(throwing: own)
                    } else {
                        pending.continuation.resume(throwing: error)
                    }
                }
            }
        }
    }
}
