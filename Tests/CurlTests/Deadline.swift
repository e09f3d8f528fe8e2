/// Waiting for a state change with a deadline instead of a bare sleep.
enum Deadline {
    struct Passed: Error {}

    /// The first element of `stream`, or ``Passed`` if none arrives within `limit`.
    static func first<T: Sendable>(of stream: AsyncStream<T>, within limit: Duration) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                for await value in stream { return value }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let value = try await group.next() ?? nil else { throw Passed() }
            return value
        }
    }
}
