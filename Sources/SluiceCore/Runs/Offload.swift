import Dispatch

/// Runs blocking work (libgit2, file hashing, directory walks) on a Dispatch thread, so it never
/// holds one of the few threads of Swift's cooperative pool.
func offload<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E> = await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(returning: Result { () throws(E) -> T in try body() })
        }
    }
    return try result.get()
}
