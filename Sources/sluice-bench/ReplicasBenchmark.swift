import ArgumentParser
import Curl
import Foundation
import SluiceCore
import SluiceTesting

/// `sluice-bench replicas`: the same service on (a) one replica on SQLite, (b) one on PostgreSQL
/// and (c) three on one PostgreSQL, in one run, each `sluice serve` a process of its own.
///
/// For each: durable webhook ingest (closed loop over persistent connections spread across the
/// replicas, as a load balancer spreads them, and acknowledgement latency at a fixed rate), and a
/// push to the starter project until staging's manifest commit is on the deploy repository,
/// against the project's three steps run directly. PostgreSQL is a throwaway cluster with
/// `fsync` on, as SQLite's `synchronous = FULL` is. Ratios are to (a).
struct ReplicasBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicas",
        abstract: "Ingest and webhook-to-manifest latency on one SQLite replica, one PostgreSQL one, and three.")

    @OptionGroup var options: BenchmarkOptions

    @OptionGroup var load: LoadOptions


    /// One way of running the service.
    struct Setup {
        let name: String
        let replicas: Int
        let postgres: Bool
    }

    /// What one setup measured.
    struct Result {
        let ingest: IngestBenchmark.Summary
        /// Webhook to manifest, and the three steps run directly (medians, seconds).
        let manifest: Figure
    }

    func run() async throws {
        let sluice = try StarterProject.sluiceBinary()
        let template = try StarterProject.folder(options.templatesFolder("project").path)
        let scratch = try ScratchDirectory("sluice-bench-replicas")
        progress("starting a throwaway PostgreSQL with fsync on")
        let postgres = try PostgresServer(durable: true)
        let starter = try StarterDeployment(in: scratch.path("served"), template: template)

        let setups = [
            Setup(name: "a_sqlite_1", replicas: 1, postgres: false),
            Setup(name: "b_postgres_1", replicas: 1, postgres: true),
            Setup(name: "c_postgres_3", replicas: 3, postgres: true),
        ]
        var results: [Result] = []
        for setup in setups {
            results.append(
                try await measure(
                    setup, sluice: sluice, template: template, scratch: scratch, postgres: postgres, starter: starter))
        }
        report(setups, results)
    }

    private func measure(
        _ setup: Setup, sluice: URL, template: URL, scratch: ScratchDirectory, postgres: PostgresServer,
        starter: StarterDeployment
    ) async throws -> Result {
        var environment = EndToEndBenchmark.environment
        var store = ""
        var location = StoreLocation(stateDirectory: scratch.path("\(setup.name)-1"))
        if setup.postgres {
            let database = try postgres.makeDatabase()
            environment["SLUICE_DATABASE_URL"] =
                "postgres://\(database.user)@\(database.host):\(database.port)/\(database.database)?sslmode=disable"
            store = "store: { url_env: SLUICE_DATABASE_URL }"
            location.postgres = database
        }
        let servers = try (1...setup.replicas).map { replica in
            let config = try scratch.write(
                """
                listen: 127.0.0.1:0
                public_url: https://sluice.example.com
                state_dir: \(setup.name)-\(replica)
                \(store)
                projects:
                  - name: ingest
                    forge: github
                    repo: file://\(scratch.path("no-such-repository.git").path)
                    webhook_secret_env: BENCH_WEBHOOK_SECRET
                  - name: churn
                    forge: github
                    repo: \(starter.git.url("churn.git"))
                    webhook_secret_env: BENCH_WEBHOOK_SECRET
                    environments:
                      - { name: staging, auto: true }
                      - { name: production, approvals: 1, approvers: [alice] }
                deploy:
                  repo: \(starter.git.url("deploy.git"))
                """, to: "\(setup.name)-\(replica).yml")
            return try ServeProcess(
                sluice: sluice, config: config, environment: environment, log: scratch.path("\(setup.name)-\(replica).log"))
        }
        defer { servers.forEach { $0.stop() } }
        var bases: [String] = []
        for server in servers { bases.append(try await server.address()) }
        progress("\(setup.name): \(setup.replicas) sluice serve at \(bases.joined(separator: ", "))")
        let observer = try await Store.open(location)

        // Durable ingest. The pushes name a repository that does not exist, so their runs end
        // at once; the queue they leave is drained before the latency is measured.
        let body = IngestBenchmark.pushBody()
        let counters = IngestBenchmark.Counters()
        let ingestLoad = try IngestBenchmark.Load(
            ports: bases.map { Int($0.split(separator: ":").last ?? "") }, path: "/hooks/github/ingest", body: body,
            signature: WebhookSigner.gitHubSignature(body, secret: EndToEndBenchmark.secret), counters: counters,
            options: load, progress: progress)
        defer { ingestLoad.close() }
        try await ingestLoad.warmUp()
        var rounds: [IngestBenchmark.Sample] = []
        for round in 1...options.runs {
            rounds.append(try await ingestLoad.closedLoop())
            progress("\(setup.name): ingest round \(round): \(Int(rounds.last!.throughput)) req/s")
        }
        let ingest = IngestBenchmark.Summary(closed: rounds, open: try await ingestLoad.openLoop())
        let accepted = counters.accepted.load(ordering: .relaxed)
        let stored = try await observer.deliveries(limit: 10_000_000).count
        guard stored == accepted else {
            throw ValidationError("\(setup.name): the store holds \(stored) deliveries but \(accepted) were acknowledged")
        }
        let deadline = ContinuousClock.now + .seconds(300)
        while try await observer.statistics().queuedTriggers > 0 {
            guard ContinuousClock.now < deadline else { throw ValidationError("\(setup.name): the ingest queue did not drain") }
            try await Task.sleep(for: .milliseconds(100))
        }

        // Webhook to manifest: first every replica clones the project and the deploy repository
        // (untimed pushes until each has run once), then the measured pushes, each to the next
        // replica, wherever it runs.
        let client = HTTPClient(retry: .none)
        func deliverAndWaitForManifest(_ push: (before: String, after: String), to base: String) async throws {
            try await starter.deliverAndWaitForManifest(
                client, base: base, push: push, alive: { servers.allSatisfy(\.isRunning) },
                diagnosis: {
                    let last = try await observer.runs(limit: 1).first
                    let run = last.map { "\($0.id) \($0.state.rawValue): \($0.reason ?? "")" } ?? "none"
                    let words = servers.map { server in
                        server.logText.split(separator: "\n").filter { !$0.contains("project=ingest") }.suffix(12)
                            .joined(separator: "\n")
                    }
                    return "\(setup.name): the last run: \(run); the servers' last words:\n" + words.joined(separator: "\n")
                })
        }
        func cold() -> [Int] {
            (1...setup.replicas).filter { replica in
                !FileManager.default.fileExists(atPath: scratch.path("\(setup.name)-\(replica)/deploy").path)
            }
        }
        var warmUps = 0
        while !cold().isEmpty {
            guard warmUps < 6 * setup.replicas else { throw ValidationError("\(setup.name): replicas \(cold()) never ran a push") }
            try await deliverAndWaitForManifest(
                try starter.pushTrainingChange("\(setup.name) warm-up \(warmUps)"), to: bases[warmUps % bases.count])
            warmUps += 1
        }
        progress("\(setup.name): \(warmUps) untimed pushes warmed every replica; webhook to manifest, \(options.runs) runs")
        // The push being measured: made by `prepare`, delivered by `ours`.
        var pending = (before: "", after: "")
        let manifest = try await compare(
            "\(setup.name)_manifest", runs: options.runs, progress: progress,
            prepare: { index in
                try GitCLI.shell("cp -R '\(template.path)' '\(scratch.path("\(setup.name)-direct-\(index)").path)'")
                pending = try starter.pushTrainingChange("\(setup.name) run \(index)")
            },
            ours: { index in try await deliverAndWaitForManifest(pending, to: bases[index % bases.count]) },
            reference: { index in try StarterProject.runStepsDirectly(in: scratch.path("\(setup.name)-direct-\(index)")) })
        if case .broken = try await observer.verifyAudit() { throw ValidationError("\(setup.name): the audit chain broke") }
        return Result(ingest: ingest, manifest: manifest)
    }

    private func report(_ setups: [Setup], _ results: [Result]) {
        let base = results[0]
        for (setup, result) in zip(setups, results) {
            let throughput = Figure(
                "replicas_ingest_\(setup.name)", ours: result.ingest.throughput, reference: base.ingest.throughput,
                unit: "req/s", better: .higher)
            let p99 = Figure(
                "replicas_p99_at_\(load.rate)_\(setup.name)", ours: result.ingest.open.p99, reference: base.ingest.open.p99, unit: "ms")
            let beyond = result.manifest.ours - result.manifest.reference
            let latency = Figure(
                "replicas_beyond_steps_\(setup.name)", ours: beyond, reference: base.manifest.ours - base.manifest.reference)
            if options.json {
                [throughput, p99, latency].forEach { print($0.jsonLine) }
                continue
            }
            print(throughput.tableLine(referenceName: "a_sqlite_1", target: setup.postgres ? 0.5 : nil))
            let p99Line = p99.tableLine(referenceName: "a_sqlite_1", target: nil)
            print(setup.replicas > 1 ? p99Line + " (\(p99.ours <= 10 ? "meets" : "MISSES") target <= 10 ms)" : p99Line)
            let latencyLine = latency.tableLine(referenceName: "a_sqlite_1", target: nil)
                + String(format: "  (webhook to manifest %.3f s, steps %.3f s)", result.manifest.ours, result.manifest.reference)
            print(setup.replicas > 1 ? latencyLine + " (\(beyond <= 1 ? "meets" : "MISSES") target <= 1.000 s)" : latencyLine)
        }
    }

    @Sendable private func progress(_ message: String) {
        FileHandle.standardError.write(Data("sluice-bench replicas: \(message)\n".utf8))
    }
}
