import Synchronization

/// A flag another thread sets to stop a running network operation at its next progress report.
///
/// libgit2 blocks its calling thread; the transfer callbacks poll this flag and abort the transfer,
/// which then throws a `GitError` with code `.cancelled`.
public final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func cancel() {
        flag.store(true, ordering: .releasing)
    }

    public var isCancelled: Bool {
        flag.load(ordering: .acquiring)
    }
}
