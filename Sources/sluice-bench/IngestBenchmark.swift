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
/// as answers come: throughput, its latency, and the process's CPU time per request), and open
/// loop at a fixed rate (latency at 500 deliveries/s). Both servers run throughout, and the
/// closed-loop rounds alternate between them, so a noisy neighbour slows both alike; figures are
/// medians over the rounds.
struct IngestBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Webhook ingest throughput and latency against a bare route (reference).")

    @OptionGroup var options: BenchmarkOptions

    @OptionGroup var load: LoadOptions

    static let secret = "bench-webhook-secret"

    func run() async throws {
        let scratch = try ScratchDirectory("sluice-bench-ingest")
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
        progress(
            "signed push body: \(body.count) bytes; \(load.connections) connections; "
                + "\(options.runs) rounds of \(load.seconds) s per server")

        let service = try await SluiceService.build(
            config: config, templates: URL(fileURLWithPath: options.templates), clock: SystemClock(), logger: quiet)
        let store = service.store
        let ingest = service.application()
        let bareRouter = Router()
        bareRouter.post("bare") { request, _ -> Response in
            var request = request
            _ = try await request.collectBody(upTo: config.maxBodyBytes)
            return Response(status: .ok)
        }
        let bare = Application(
            router: bareRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quiet)

        let counters = Counters()
        let (ours, reference) = try await ingest.test(.live) { ingestClient in
            try await bare.test(.live) { bareClient in
                let ingestLoad = try Load(
                    ports: [ingestClient.port], path: "/hooks/github/churn", body: body, signature: signature,
                    counters: counters, options: load, progress: progress)
                let bareLoad = try Load(
                    ports: [bareClient.port], path: "/bare", body: body, signature: signature, counters: counters,
                    options: load, progress: progress)
                defer {
                    ingestLoad.close()
                    bareLoad.close()
                }
                try await ingestLoad.warmUp()
                try await bareLoad.warmUp()
                var ours: [Sample] = []
                var reference: [Sample] = []
                for round in 1...options.runs {
                    // Alternate which server goes first, so neither always follows the other's
                    // writeback or garbage.
                    if round % 2 == 1 {
                        ours.append(try await ingestLoad.closedLoop())
                        reference.append(try await bareLoad.closedLoop())
                    } else {
                        reference.append(try await bareLoad.closedLoop())
                        ours.append(try await ingestLoad.closedLoop())
                    }
                    progress(
                        "round \(round): ingest \(Int(ours.last!.throughput)) req/s, "
                            + "bare \(Int(reference.last!.throughput)) req/s")
                }
                let oursOpen = try await ingestLoad.openLoop()
                let referenceOpen = try await bareLoad.openLoop()
                return (Summary(closed: ours, open: oursOpen), Summary(closed: reference, open: referenceOpen))
            }
        }

        let accepted = counters.accepted.load(ordering: .relaxed)
        let stored = try await store.deliveries(limit: 1_000_000).count
        progress("store holds \(stored) deliveries; ingest answered \(accepted) with 202")
        guard stored == accepted else {
            throw ValidationError("the store holds \(stored) deliveries but \(accepted) were acknowledged")
        }

        let figures: [(Figure, Double?)] = [
            (Figure("ingest_throughput", ours: ours.throughput, reference: reference.throughput,
                    unit: "req/s", better: .higher), 0.5),
            (Figure("ingest_cpu", ours: ours.cpuPerRequest, reference: reference.cpuPerRequest, unit: "us/req"), nil),
            (Figure("ingest_p50", ours: ours.p50, reference: reference.p50, unit: "ms"), nil),
            (Figure("ingest_p99", ours: ours.p99, reference: reference.p99, unit: "ms"), nil),
            (Figure("ingest_p50_at_\(load.rate)", ours: ours.open.p50, reference: reference.open.p50, unit: "ms"), nil),
            (Figure("ingest_p99_at_\(load.rate)", ours: ours.open.p99, reference: reference.open.p99, unit: "ms"), nil),
        ]
        for (figure, target) in figures {
            print(options.json ? figure.jsonLine : figure.tableLine(referenceName: "bare route", target: target))
        }
        if !options.json {
            print(
                "durable deliveries/s: \(Int(ours.throughput)) (target >= 2000); "
                    + String(format: "p99 at %d/s: %.2f ms (target <= 10)", load.rate, ours.open.p99))
        }
    }

    /// One closed-loop round or one open-loop load.
    struct Sample {
        var throughput: Double
        /// The whole process's CPU time (client and server, user and system) per request, in µs.
        var cpuPerRequest: Double
        var p50: Double
        var p99: Double

        init(latencies: [Duration], elapsed: Duration, cpu: Duration) {
            let milliseconds = latencies.map(Self.milliseconds).sorted()
            throughput = Double(latencies.count) / (Self.milliseconds(elapsed) / 1000)
            cpuPerRequest = latencies.isEmpty ? 0 : Self.milliseconds(cpu) * 1000 / Double(latencies.count)
            p50 = milliseconds.isEmpty ? 0 : milliseconds[milliseconds.count / 2]
            p99 = milliseconds.isEmpty ? 0 : milliseconds[min(milliseconds.count - 1, milliseconds.count * 99 / 100)]
        }

        private static func milliseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        }
    }

    /// One server's figures: medians over the closed-loop rounds, and its open-loop load.
    struct Summary {
        var throughput: Double
        var cpuPerRequest: Double
        var p50: Double
        var p99: Double
        var open: Sample

        init(closed: [Sample], open: Sample) {
            throughput = median(closed.map(\.throughput))
            cpuPerRequest = median(closed.map(\.cpuPerRequest))
            p50 = median(closed.map(\.p50))
            p99 = median(closed.map(\.p99))
            self.open = open
        }
    }

    /// Persistent connections to the servers at `ports` (spread evenly, as a load balancer would),
    /// and the two loads run over them.
    struct Load {
        let path: String
        let connections: [TestClient]
        let send: @Sendable (TestClient) async throws -> Duration
        let options: LoadOptions
        let progress: @Sendable (String) -> Void

        init(
            ports: [Int?], path: String, body: Data, signature: String, counters: Counters, options: LoadOptions,
            progress: @escaping @Sendable (String) -> Void
        ) throws {
            let ports = ports.compactMap { $0 }
            guard !ports.isEmpty else { throw ValidationError("the server did not report its port") }
            self.path = path
            self.options = options
            self.progress = progress
            let bytes = ByteBuffer(bytes: body)
            send = { connection in
                let id = counters.sent.wrappingAdd(1, ordering: .relaxed).newValue
                let request = TestClient.Request(
                    path, method: .post,
                    headers: [
                        HTTPField.Name("X-GitHub-Event")!: "push", HTTPField.Name("X-GitHub-Delivery")!: "bench-\(id)",
                        HTTPField.Name("X-Hub-Signature-256")!: signature, .contentType: "application/json",
                    ],
                    body: bytes)
                let start = ContinuousClock.now
                let response = try await connection.execute(request)
                if response.status == .accepted { counters.accepted.add(1, ordering: .relaxed) }
                guard response.status == .accepted || response.status == .ok else {
                    throw ValidationError("\(path) answered \(response.status)")
                }
                return ContinuousClock.now - start
            }
            connections = (0..<options.connections).map { index in TestClient(host: "127.0.0.1", port: ports[index % ports.count]) }
            connections.forEach { $0.connect() }
        }

        /// One request on every connection, so connections and code paths are warm.
        func warmUp() async throws {
            for connection in connections { _ = try await send(connection) }
        }

        /// Every connection sends as fast as answers come, for `seconds`.
        func closedLoop() async throws -> Sample {
            let duration = Duration.seconds(options.seconds)
            let cpuStart = Self.processCPUTime()
            let start = ContinuousClock.now
            let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
                for connection in connections {
                    group.addTask {
                        var latencies: [Duration] = []
                        while ContinuousClock.now - start < duration { latencies.append(try await send(connection)) }
                        return latencies
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            return Sample(
                latencies: latencies, elapsed: ContinuousClock.now - start, cpu: Self.processCPUTime() - cpuStart)
        }

        /// Request i is due at start + i / rate, on connection i mod N; latency is counted from when
        /// it was due, so a server that falls behind is charged for it.
        func openLoop() async throws -> Sample {
            let interval = Duration.seconds(1.0 / Double(options.rate))
            let total = Int(Double(options.rate) * options.seconds)
            let cpuStart = Self.processCPUTime()
            let start = ContinuousClock.now
            let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
                for (index, connection) in connections.enumerated() {
                    group.addTask {
                        var latencies: [Duration] = []
                        for request in stride(from: index, to: total, by: connections.count) {
                            let due = start + interval * request
                            try await Task.sleep(until: due, clock: .continuous)
                            _ = try await send(connection)
                            latencies.append(ContinuousClock.now - due)
                        }
                        return latencies
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            progress("\(path): open loop, \(latencies.count) requests at \(options.rate)/s")
            return Sample(
                latencies: latencies, elapsed: ContinuousClock.now - start, cpu: Self.processCPUTime() - cpuStart)
        }

        func close() {
            for connection in connections { Task { try? await connection.shutdown() } }
        }

        /// User and system CPU time of the whole process so far.
        private static func processCPUTime() -> Duration {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            func duration(_ time: timeval) -> Duration { .seconds(time.tv_sec) + .microseconds(time.tv_usec) }
            return duration(usage.ru_utime) + duration(usage.ru_stime)
        }
    }

    /// Requests sent (for unique delivery ids) and 202s received, across connections.
    final class Counters: Sendable {
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

    @Sendable private func progress(_ message: String) {
        FileHandle.standardError.write(Data("sluice-bench ingest: \(message)\n".utf8))
    }
}

/// The shape of an ingest load: how many connections, how long each load runs, and the open
/// loop's rate.
struct LoadOptions: ParsableArguments {
    @Option(help: "Concurrent connections for the throughput load (spread over the servers).")
    var connections = 64

    @Option(help: "Seconds each closed-loop round and each open-loop load runs.")
    var seconds = 2.0

    @Option(help: "Deliveries per second for the latency load.")
    var rate = 500
}
