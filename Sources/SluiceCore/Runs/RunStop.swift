import Synchronization

/// A request to stop a run before its end, and why: the scheduler's way to stop a superseded
/// or cancelled run, or to end runs on shutdown.
///
/// It stops the step that runs (its whole process group) but not the run's bookkeeping, which
/// goes on to record the run as `superseded` or `cancelled`: cancelling the run's task instead
/// would also cancel those store writes.
public final class RunStop: Sendable {
    public enum Reason: Sendable, Hashable {
        /// A newer trigger of the same lane replaced this one; the text says which.
        case superseded(String)
        /// The server is shutting down; the run's trigger is queued again for its next start.
        case shutdown
        /// An engineer cancelled the run; the text says who.
        case cancelled(String)
        /// The run's trigger is no longer this server's (its lease ran out); another replica
        /// ends the run and carries the trigger on. The text says why.
        case claimLost(String)
    }

    private struct State {
        var reason: Reason?
        var cancelStep: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// Asks the run to stop; the first reason given stays.
    public func request(_ reason: Reason) {
        let cancel = state.withLock { state in
            if state.reason == nil { state.reason = reason }
            return state.cancelStep
        }
        cancel?()
    }

    /// The reason given, if the run was asked to stop.
    public var requested: Reason? { state.withLock { $0.reason } }

    /// Runs one step in a task of its own, which a stop request (or cancelling the caller)
    /// cancels.
    func stoppable<T: Sendable>(_ step: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await step() }
        let stopped = state.withLock { state in
            state.cancelStep = { task.cancel() }
            return state.reason != nil
        }
        defer { state.withLock { $0.cancelStep = nil } }
        if stopped { task.cancel() }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }
}
