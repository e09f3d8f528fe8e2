import Synchronization

/// Commits concurrent writes together: one transaction, and so one flush to disk, for all the
/// writes that arrived while the previous batch was committing.
///
/// Each commit waits for the disk (SQLite's `synchronous = FULL`, PostgreSQL's `fsync`), and the
/// store's writes take turns, so committing deliveries one by one caps ingest at one flush per
/// delivery. Here a write waits at most for the batch in progress; alone, it commits at once. A
/// batch runs as one plain transaction; when anything in it fails, each of its writes is retried
/// in a transaction of its own, so one bad write fails alone and its neighbours still commit. (A
/// savepoint per write would isolate them too, but costs two more statements per write on the
/// path every delivery takes.)
final class GroupCommit<Output: Sendable>: Sendable {
    typealias Work = @Sendable (any StoreConnection) throws -> Output

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

    private let database: any StoreDatabase
    private let state = Mutex(State())

    init(database: any StoreDatabase) {
        self.database = database
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
                // The writes that arrive while it commits wait for it, not for one another.
                Task { await self.drain() }
            }
        }
    }

    /// Commits batches until nothing is pending.
    private func drain() async {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.pending.prefix(Self.maximumBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let works = batch.map(\.work)
            do {
                let outputs = try await database.write { db in try works.map { work in try work(db) } }
                for (pending, output) in zip(batch, outputs) {
                    pending.continuation.resume(returning: output)
                }
            } catch {
                for pending in batch {
                    do {
                        pending.continuation.resume(returning: try await database.write(pending.work))
                    } catch {
                        pending.continuation.resume(throwing: error)
                    }
                }
            }
        }
    }
}
