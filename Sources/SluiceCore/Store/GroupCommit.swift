import GRDB
import Synchronization

/// Commits concurrent writes together: one transaction, and so one fsync, for all the writes
/// that arrived while the previous batch was committing.
///
/// With `synchronous = FULL` each commit waits for the disk, and SQLite has one writer, so
/// committing deliveries one by one caps ingest at one fsync per delivery. Here a write waits
/// at most for the batch in progress; alone, it commits at once. The batches are committed on
/// GRDB's writer queue, which keeps draining while writes keep coming, so a write costs one
/// thread hop there and one back. A batch runs as one plain transaction; when anything in it
/// fails, it is rolled back and each of its writes is retried in a transaction of its own, so one
/// bad write fails alone and its neighbours still commit. (A savepoint per write would isolate
/// them too, but costs two more statements per write on the path every delivery takes.)
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
        var draining = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `work` in the next batch and returns its result once the batch is committed.
    func submit(_ work: @escaping Work) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state in
                state.pending.append(Pending(work: work, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if starts {
                pool.asyncWriteWithoutTransaction { db in self.drain(db) }
            }
        }
    }

    /// Commits batches on the writer queue until nothing is pending.
    private func drain(_ db: Database) {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.pending.prefix(Self.maximumBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let results: [Result<Output, any Error>]
            do {
                var outputs: [Output] = []
                try db.inTransaction {
                    outputs = try batch.map { pending in try pending.work(db) }
                    return .commit
                }
                results = outputs.map { .success($0) }
            } catch {
                results = batch.map { pending in Result { try Self.commitAlone(pending.work, in: db) } }
            }
            for (pending, result) in zip(batch, results) {
                pending.continuation.resume(with: result)
            }
        }
    }

    /// Runs one write in a transaction of its own.
    private static func commitAlone(_ work: Work, in db: Database) throws -> Output {
        var output: Output?
        try db.inTransaction {
            output = try work(db)
            return .commit
        }
        guard let output else { preconditionFailure("a committed transaction ran its work") }
        return output
    }
}
