import Synchronization

/// Commits concurrent writes together: one transaction, and so one flush to disk, for all the
/// inputs that arrived while the previous batch was committing, written by one `commit` call.
///
/// Each commit waits for the disk (SQLite's `synchronous = FULL`, PostgreSQL's `fsync`), and the
/// store's writes take turns, so committing deliveries one by one caps ingest at one flush per
/// delivery; and on PostgreSQL each statement is a round trip, so `commit` writes a whole batch
/// with a few statements, not a few per input. A write waits at most for the batch in progress;
/// alone, it commits at once. When a batch fails, each of its inputs is retried in a transaction
/// of its own, so one bad input fails alone and its neighbours still commit.
final class GroupCommit<Input: Sendable, Output: Sendable>: Sendable {
    /// Writes `inputs` in the transaction of `db` and returns one output per input, in order.
    typealias Commit = @Sendable (_ inputs: [Input], _ db: any StoreConnection) throws -> [Output]

    /// The most inputs one transaction takes, to bound how long a batch holds the writer.
    static var maximumBatch: Int { 256 }

    private struct Pending: Sendable {
        let input: Input
        let continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var draining = false
    }

    private let database: any StoreDatabase
    private let commit: Commit
    private let state = Mutex(State())

    init(database: any StoreDatabase, commit: @escaping Commit) {
        self.database = database
        self.commit = commit
    }

    /// Writes `input` in the next batch and returns its output once the batch is committed.
    func submit(_ input: Input) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state in
                state.pending.append(Pending(input: input, continuation: continuation))
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
        let commit = commit
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.pending.prefix(Self.maximumBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let inputs = batch.map(\.input)
            do {
                let outputs = try await database.write { db in
                    let outputs = try commit(inputs, db)
                    precondition(outputs.count == inputs.count, "a group commit returns one output per input")
                    return outputs
                }
                for (pending, output) in zip(batch, outputs) {
                    pending.continuation.resume(returning: output)
                }
            } catch {
                for pending in batch {
                    let input = pending.input
                    do {
                        pending.continuation.resume(returning: try await database.write { db in try commit([input], db)[0] })
                    } catch {
                        pending.continuation.resume(throwing: error)
                    }
                }
            }
        }
    }
}
