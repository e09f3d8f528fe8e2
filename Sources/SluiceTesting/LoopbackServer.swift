import Hummingbird
import Logging

/// A real Hummingbird server on 127.0.0.1, port 0, that lives for the duration of `body`: the
/// other end of tests of outbound HTTP (the Curl client, the fake forges).
///
/// `configure` adds the routes; `body` gets the base URL (`http://127.0.0.1:PORT`). The server
/// is stopped by cancelling its task when `body` returns or throws.
public enum LoopbackServer {
    public struct DidNotStart: Error {}

    public static func run<T: Sendable>(
        _ configure: (Router<BasicRequestContext>) -> Void,
        _ body: (_ baseURL: String) async throws -> T
    ) async throws -> T {
        let router = Router()
        configure(router)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "loopback-server")
        // Shutdown by cancellation logs a CancellationError per open connection at error level.
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portSink.finish() }
                try await app.run()
            }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port != 0 else { throw DidNotStart() }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}
