import NIOCore
import NIOPosix

/// Sizes the blocking pool for a server, before anything uses it: git fetches and pushes wait on
/// the network inside `blocking`, so a few slow remotes must not hold up hashing, exports and
/// Hummingbird's file reads, as NIO's default of one thread per core would let them.
public func sizeBlockingPoolForServing() {
    NIOSingletons.blockingPoolThreadCountSuggestion = max(16, 4 * System.coreCount)
}

/// Runs blocking work (libgit2, file hashing, directory walks) on NIO's blocking thread pool, the
/// one Hummingbird's file I/O uses, so it never holds a thread of Swift's cooperative pool and
/// never grows past the pool's bound (`NIOSingletons.blockingPoolThreadCountSuggestion`).
///
/// Work here must never wait for other work here: waits (a lock another run holds) go through
/// the clock instead, or a full pool would wait for itself.
func blocking<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E>
    do {
        result = try await NIOThreadPool.singleton.runIfActive { Result { () throws(E) -> T in try body() } }
    } catch {
        // Only a pool that was shut down refuses work, and the singleton never is; doing the
        // work here is still better than losing it.
        result = Result { () throws(E) -> T in try body() }
    }
    return try result.get()
}
