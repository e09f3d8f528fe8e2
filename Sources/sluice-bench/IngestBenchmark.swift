import ArgumentParser
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SluiceCore
import SluiceServer
import SluiceTesting
import Synchronization

/// `sluice-bench ingest`: webhook ingest (verify, parse, store durably, answer) against a bare
/// route that answers 200 without work, on the same machine, in the same run.
///
/// Load comes from persistent loopback connections in this process, each sending a signed 7 KB
/// GitHub push with a unique delivery id. Two loads: closed loop (every connection sends as fast
/// as answers come: throughput and its latency), and open loop at a fixed rate (latency at 500
/// deliveries/s).
struct IngestBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Webhook ingest throughput and latency against a bare route (reference).")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Concurrent connections for the throughput load.")
    var connections = 16

    @Option(help: "Seconds each load runs.")
    var seconds = 4.0

    @Option(help: "Deliveries per second for the latency load.")
    var rate = 500

    static let secret = "bench-webhook-secret"

    func run() async throws {
        let scratch = try ScratchDirectory("sluice-bench-ingest")
        let store = try Store(stateDirectory: scratch.url)
        let config = ServerConfig(
            listen: ListenAddress(host: "127.0.0.1", port: 0), stateDirectory: scratch.url,
            projects: [
                ProjectConfig(
                    name: "churn", forge: .github, repo: "https://github.com/acme/churn.git",
                    webhookSecret: Secret(Self.secret))
            ])
        var quiet = Logger(label: "sluice-bench")
        quiet.logLevel = .warning
        let body = Self.pushBody()
        let signature = WebhookSigner.gitHubSignature(body, secret: Self.secret)
        progress("signed push body: \(body.count) bytes; \(connections) connections, \(seconds) s per load")

        let ingest = ServerApplication.make(config: config, store: store, logger: quiet) { _ in }
        let bareRouter = Router()
        bareRouter.post("bare") { request, _ -> Response in
            var request = request
            _ = try await request.collectBody(upTo: config.maxBodyBytes)
            return Response(status: .ok)
        }
        let bare = Application(router: bareRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quiet)

        let ingestLoad = try await Self.measure(ingest, path: "/hooks/github/churn", body: body, signature: signature, benchmark: self)
        let bareLoad = try await Self.measure(bare, path: "/bare", body: body, signature: signature, benchmark: self)

        let stored = try await store.deliveries(limit: 1_000_000).count
        progress("store holds \(stored) deliveries; ingest answered \(ingestLoad.accepted) with 202")
        guard stored == ingestLoad.accepted else {
            throw ValidationError("the store holds \(stored) deliveries but \(ingestLoad.accepted) were acknowledged")
        }

        let figures: [(Figure, String, Double?)] = [
            (Figure("ingest_throughput", ours: ingestLoad.closed.throughput, reference: bareLoad.closed.throughput,
                    unit: "req/s", better: .higher), "bare route", 0.5),
            (Figure("ingest_p50", ours: ingestLoad.closed.p50, reference: bareLoad.closed.p50, unit: "ms"), "bare route", nil),
            (Figure("ingest_p99", ours: ingestLoad.closed.p99, reference: bareLoad.closed.p99, unit: "ms"), "bare route", nil),
            (Figure("ingest_p50_at_\(rate)", ours: ingestLoad.open.p50, reference: bareLoad.open.p50, unit: "ms"), "bare route", nil),
            (Figure("ingest_p99_at_\(rate)", ours: ingestLoad.open.p99, reference: bareLoad.open.p99, unit: "ms"), "bare route", nil),
        ]
        for (figure, reference, target) in figures {
            print(options.json ? figure.jsonLine : figure.tableLine(referenceName: reference, target: target))
        }
        if !options.json {
            print("durable deliveries/s: \(Int(ingestLoad.closed.throughput)) (target >= 2000); "
                + String(format: "p99 at %d/s: %.2f ms (target <= 10)", rate, ingestLoad.open.p99))
        }
    }

    /// What one application did under both loads.
    struct Load {
        var closed: Sample
        var open: Sample
        var accepted: Int
    }

    /// Throughput (requests/s) and latency percentiles (ms) of one load.
    struct Sample {
        var throughput: Double
        var p50: Double
        var p99: Double

        init(latencies: [Duration], elapsed: Duration) {
            let milliseconds = latencies.map { Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1000 }
                .sorted()
            throughput = Double(latencies.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            p50 = milliseconds.isEmpty ? 0 : milliseconds[milliseconds.count / 2]
            p99 = milliseconds.isEmpty ? 0 : milliseconds[min(milliseconds.count - 1, milliseconds.count * 99 / 100)]
        }
    }

    /// Runs `application` on a loopback port and measures both loads against `path`.
    private static func measure(
        _ application: some ApplicationProtocol, path: String, body: Data, signature: String, benchmark: IngestBenchmark
    ) async throws -> Load {
        let counters = Counters()
        return try await application.test(.live) { client in
            guard let port = client.port else { throw ValidationError("the server did not report its port") }
            let request: @Sendable () -> TestClient.Request = {
                let id = counters.sent.wrappingAdd(1, ordering: .relaxed).newValue
                return TestClient.Request(
                    path, method: .post,
                    headers: [
                        HTTPField.Name("X-GitHub-Event")!: "push", HTTPField.Name("X-GitHub-Delivery")!: "bench-\(id)",
                        HTTPField.Name("X-Hub-Signature-256")!: signature, .contentType: "application/json",
                    ],
                    body: ByteBuffer(bytes: body))
            }
            let send: @Sendable (TestClient) async throws -> Duration = { connection in
                let start = ContinuousClock.now
                let response = try await connection.execute(request())
                if response.status == .accepted { counters.accepted.add(1, ordering: .relaxed) }
                guard response.status == .accepted || response.status == .ok else {
                    throw ValidationError("\(path) answered \(response.status)")
                }
                return ContinuousClock.now - start
            }
            let connections = (0..<benchmark.connections).map { _ in TestClient(host: "127.0.0.1", port: port) }
            connections.forEach { $0.connect() }
            defer { for connection in connections { Task { try? await connection.shutdown() } } }
            // Warm up every connection and the server's code paths.
            for connection in connections { _ = try await send(connection) }

            let duration = Duration.seconds(benchmark.seconds)
            let closedStart = ContinuousClock.now
            let closed = try await withThrowingTaskGroup(of: [Duration].self) { group in
                for connection in connections {
                    group.addTask {
                        var latencies: [Duration] = []
                        while ContinuousClock.now - closedStart < duration { latencies.append(try await send(connection)) }
                        return latencies
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let closedSample = Sample(latencies: closed, elapsed: ContinuousClock.now - closedStart)

            // Open loop: request i is due at start + i / rate, on connection i mod N; latency is
            // counted from when it was due, so a server that falls behind is charged for it.
            let interval = Duration.seconds(1.0 / Double(benchmark.rate))
            let total = Int(Double(benchmark.rate) * benchmark.seconds)
            let openStart = ContinuousClock.now
            let open = try await withThrowingTaskGroup(of: [Duration].self) { group in
                for (index, connection) in connections.enumerated() {
                    group.addTask {
                        var latencies: [Duration] = []
                        for request in stride(from: index, to: total, by: connections.count) {
                            let due = openStart + interval * request
                            try await Task.sleep(until: due, clock: .continuous)
                            _ = try await send(connection)
                            latencies.append(ContinuousClock.now - due)
                        }
                        return latencies
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let openSample = Sample(latencies: open, elapsed: ContinuousClock.now - openStart)
            benchmark.progress(
                "\(path): closed loop \(closed.count) requests, open loop \(open.count) at \(benchmark.rate)/s")
            return Load(closed: closedSample, open: openSample, accepted: counters.accepted.load(ordering: .relaxed))
        }
    }

    /// Requests sent (for unique delivery ids) and 202s received, across connections.
    private final class Counters: Sendable {
        let sent = Atomic<Int>(0)
        let accepted = Atomic<Int>(0)
    }

    /// A GitHub push body of about 7 KB: a real shape, padded with commits.
    static func pushBody() -> Data {
        let commits = (0..<12).map { index in
            """
            {"id": "\(String(repeating: String(index % 10), count: 40))", "tree_id": "\(String(repeating: "e", count: 40))",
             "distinct": true, "message": "Retrain with the November data, step \(index)",
             "timestamp": "2026-11-27T10:00:00Z", "url": "https://github.com/acme/churn/commit/\(index)",
             "author": {"name": "Alice", "email": "alice@example.com", "username": "alice"},
             "committer": {"name": "Alice", "email": "alice@example.com", "username": "alice"},
             "added": ["data/part-\(index).csv"], "removed": [], "modified": ["train.py", "src/features.py"]}
            """
        }
        return Data(
            """
            {"ref": "refs/heads/main", "before": "\(String(repeating: "a", count: 40))",
             "after": "\(String(repeating: "b", count: 40))", "created": false, "deleted": false, "forced": false,
             "base_ref": null, "compare": "https://github.com/acme/churn/compare/a...b",
             "commits": [\(commits.joined(separator: ","))], "head_commit": \(commits[11]),
             "repository": {"id": 1, "name": "churn", "full_name": "acme/churn", "private": true,
                            "default_branch": "main", "html_url": "https://github.com/acme/churn"},
             "pusher": {"name": "alice", "email": "alice@example.com"},
             "sender": {"login": "alice", "id": 7, "type": "User"}}
            """.utf8)
    }

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("sluice-bench ingest: \(message)\n".utf8))
    }
}
