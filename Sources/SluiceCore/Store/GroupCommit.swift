import GRDB
import Synchronization

/// Commits concurrent writes together: one transaction, and so one fsync, for all the writes
/// that arrived while the previous batch was committing.
///
/// With `synchronous = FULL` each commit waits for the disk, and SQLite has one writer, so
/// committing deliveries one by one caps ingest at one fsync per delivery. Here a write waits
/// at most for the batch in progress; alone, it commits at once. Each write runs in its own
/// savepoint, so one that fails is rolled back without its neighbours.
final class GroupCommit<Output: Sendable>: Sendable {
    typealias Work = @Sendable (Database) throws -> Output

    /// The most writes one transaction takes, to bound how long a batch holds the writer.
    static var maximumBatch: Int { 256 }

    private struct Pending: Sendable {
        let work: Work
        let continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var committing = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `work` in the next batch and returns its result once the batch is committed.
    func submit(_ work: @escaping Work) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLock { state in
                state.pending.append(Pending(work: work, continuation: continuation))
                defer { state.committing = true }
                return !state.committing
            }
            if leads {
                Task { await self.commitPending() }
            }
        }
    }

    /// Commits batches until nothing is pending.
    private func commitPending() async {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.pending.prefix(Self.maximumBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.committing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let results = try await pool.write { db in
                    batch.map { pending in
                        Result { () throws -> Output in
                            var output: Output?
                            try db.inSavepoint {
                                output = try pending.work(db)
                                return .commit
                            }
                            return output!
                        }
                    }
                }
                for (pending, result) in zip(batch, results) {
                    pending.continuation.resume(with: result)
                }
            } catch {
                for pending in batch {
                    pending.continuation.resume(throwing: error)
                }
            }
        }
    }
}
