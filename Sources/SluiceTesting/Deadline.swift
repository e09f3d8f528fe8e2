/// Waiting for a state change with a deadline instead of a bare sleep.
public enum Deadline {
    public struct Passed: Error {
        public init() {}
    }

    /// The first element of `stream`, or ``Passed`` if none arrives within `limit`.
    @discardableResult
    public static func first<T: Sendable>(of stream: AsyncStream<T>, within limit: Duration) async throws -> T {
        try await first(in: stream, within: limit) { _ in true }
    }

    /// The first element of `stream` that satisfies `predicate`, or ``Passed`` after `limit`.
    @discardableResult
    public static func first<T: Sendable>(
        in stream: AsyncStream<T>, within limit: Duration, where predicate: @escaping @Sendable (T) -> Bool
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                for await value in stream where predicate(value) { return value }
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
