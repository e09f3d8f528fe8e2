import ArgumentParser
import Curl
import Foundation
import SluiceCore
import SluiceTesting

/// `sluice-bench e2e`: the running service, webhook in to manifest out, in one run.
///
/// Figures: (1) a signed push webhook to the starter project until staging's manifest commit is
/// on the deploy repository, against the raw time of the project's three steps run directly
/// (target: at most 1 s more); (2) a storm of pushes over many projects with two parallel runs:
/// runs executed against distinct final heads (target: equal), deliveries acknowledged against
/// sent (target: none lost), and the server's peak resident memory (target: at most 200 MB).
struct EndToEndBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2e",
        abstract: "Webhook to manifest against the raw steps; a push storm's runs, deliveries and peak memory.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Pushes in the storm.")
    var pushes = 1000

    @Option(help: "Projects the storm's pushes are spread over.")
    var projects = 20

    static let secret = "bench-webhook-secret-31"
    /// What `sluice serve` gets: this environment and the webhook secret its configs name.
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["BENCH_WEBHOOK_SECRET": secret]) { $1 }
    }

    func run() async throws {
        let sluice = try StarterProject.sluiceBinary()
        let template = try StarterProject.folder(options.templatesFolder("project").path)
        let scratch = try ScratchDirectory("sluice-bench-e2e")
        try await webhookToManifest(sluice: sluice, template: template, scratch: scratch)
        try await storm(sluice: sluice, scratch: scratch)
    }

    // MARK: - Webhook to manifest

    private func webhookToManifest(sluice: URL, template: URL, scratch: ScratchDirectory) async throws {
        let starter = try StarterDeployment(in: scratch.path("served"), template: template)
        let config = try scratch.write(
            """
            listen: 127.0.0.1:0
            public_url: https://sluice.example.com
            state_dir: state-manifest
            projects:
              - name: churn
                forge: github
                repo: \(starter.git.url("churn.git"))
                webhook_secret_env: BENCH_WEBHOOK_SECRET
                environments:
                  - { name: staging, auto: true }
                  - { name: production, approvals: 1, approvers: [alice] }
            deploy:
              repo: \(starter.git.url("deploy.git"))
            """, to: "manifest.yml")
        let server = try ServeProcess(sluice: sluice, config: config, environment: Self.environment, log: scratch.path("manifest.log"))
        defer { server.stop() }
        let base = try await server.address()
        progress("sluice serve at \(base); starter project and deploy repository at \(starter.git.baseURL)")

        let client = HTTPClient(retry: .none)
        func deliverAndWaitForManifest(_ push: (before: String, after: String)) async throws {
            try await starter.deliverAndWaitForManifest(
                client, base: base, push: push, alive: { server.isRunning }, diagnosis: { "the server's log:\n\(server.logText)" })
        }
        progress("first push (untimed): the project's mirror and the deploy repository are cloned once")
        try await deliverAndWaitForManifest((Push.zeroCommit, try starter.model.git(["rev-parse", "HEAD"])))

        progress("webhook to staging's manifest commit against the three steps run directly, \(options.runs) runs each")
        // The push being measured: made by `prepare`, delivered by `ours`.
        var pending = (before: "", after: "")
        let figure = try await compare(
            "e2e_manifest", runs: options.runs, progress: progress,
            prepare: { index in
                try GitCLI.shell("cp -R '\(template.path)' '\(scratch.path("direct-\(index)").path)'")
                pending = try starter.pushTrainingChange("benchmark run \(index)")
            },
            ours: { _ in try await deliverAndWaitForManifest(pending) },
            reference: { index in
                try StarterProject.runStepsDirectly(in: scratch.path("direct-\(index)"))
            })
        if options.json {
            print(figure.jsonLine)
        } else {
            let overhead = figure.ours - figure.reference
            print(
                figure.tableLine(referenceName: "three steps", target: nil)
                    + String(format: "  overhead %.3f s", overhead) + " (\(overhead <= 1 ? "meets" : "MISSES") target <= 1.000 s)")
        }
    }

    // MARK: - Storm

    private func storm(sluice: URL, scratch: ScratchDirectory) async throws {
        let served = scratch.path("storm")
        let perProject = (pushes + projects - 1) / projects
        progress("making \(projects) projects with \(perProject) commits each")
        var heads: [[String]] = []
        var projectLines: [String] = []
        for index in 0..<projects {
            let name = "p\(index)"
            let repository = try RemoteFixture(named: name, in: served)
            try repository.commit([
                ".sluice.yml": """
                    version: 1
                    model: \(name)
                    inputs: { paths: [version.txt, train.sh, .sluice.yml] }
                    steps: { train: sh train.sh, validate: cat "$SLUICE_METRICS" }
                    artifact: model.json
                    gate: [{ metric: auc, min: 0.5 }]
                    """,
                "train.sh": "sleep 2\ncat version.txt > \"$SLUICE_OUTPUT/model.json\"\necho '{\"auc\": 0.9}' > \"$SLUICE_METRICS\"\n",
            ])
            try GitCLI.shell(
                "for i in $(seq 1 \(perProject)); do echo $i > version.txt; git add version.txt; git commit -q -m v$i; done",
                in: repository.work)
            try repository.push()
            heads.append(try repository.git(["rev-list", "--reverse", "main"]).split(separator: "\n").map(String.init))
            projectLines.append(
                "  - { name: \(name), forge: github, repo: \(repository.fileURL), webhook_secret_env: BENCH_WEBHOOK_SECRET }")
        }
        let config = try scratch.write(
            """
            listen: 127.0.0.1:0
            state_dir: state-storm
            projects:
            \(projectLines.joined(separator: "\n"))
            executor: { max_parallel: 2 }
            """, to: "storm.yml")
        let server = try ServeProcess(sluice: sluice, config: config, environment: Self.environment, log: scratch.path("storm.log"))
        defer { server.stop() }
        let base = try await server.address()

        // Round-robin over the projects: push k of each project moves its main from commit k to k + 1.
        var deliveries: [(project: String, before: String, after: String)] = []
        for step in 0..<perProject {
            for index in 0..<projects where deliveries.count < pushes {
                deliveries.append(("p\(index)", heads[index][step], heads[index][step + 1]))
            }
        }
        let finalHeads = Set(deliveries.map(\.project)).count
        progress("delivering \(deliveries.count) push webhooks over \(finalHeads) projects, 8 at a time")
        let client = HTTPClient(retry: .none)
        let started = ContinuousClock.now
        let acknowledged = try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            var accepted = 0
            func add() {
                guard next < deliveries.count else { return }
                let delivery = deliveries[next]
                next += 1
                group.addTask {
                    try await Self.deliverPush(
                        client, base: base, project: delivery.project, before: delivery.before, after: delivery.after
                    ).status == 202 ? 1 : 0
                }
            }
            for _ in 0..<8 { add() }
            while let result = try await group.next() {
                accepted += result
                add()
            }
            return accepted
        }
        let sent = ContinuousClock.now - started
        progress(String(format: "sent in %.2f s; waiting for the queue to drain", sent / .seconds(1)))
        let store = try Store(stateDirectory: scratch.path("state-storm"))
        while true {
            let statistics = try await store.statistics()
            if statistics.queuedTriggers == 0, statistics.runs[.running] == 0,
                try await store.runnableTriggers(limit: 1).isEmpty
            {
                var unfinished = 0
                for id in 1...Int64(deliveries.count) {
                    let state = try await store.triggerState(id)?.state
                    if state != "done" && state != "superseded" { unfinished += 1 }
                }
                if unfinished == 0 { break }
            }
            guard server.isRunning, ContinuousClock.now - started < .seconds(1800) else {
                throw ValidationError("the storm's queue did not drain within 30 minutes; the server's log is \(scratch.path("storm.log").path)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let drained = ContinuousClock.now - started
        let runs = try await store.runs(limit: deliveries.count * 2)
        let executed = runs.filter { $0.state != .superseded }
        let peak = server.peakResidentMegabytes
        let figures = [
            Figure("storm_runs", ours: Double(executed.count), reference: Double(finalHeads), unit: "runs"),
            Figure("storm_acked", ours: Double(acknowledged), reference: Double(deliveries.count), unit: "deliveries", better: .higher),
            Figure("storm_rss", ours: peak, reference: 200, unit: "MB"),
        ]
        if options.json {
            figures.forEach { print($0.jsonLine) }
        } else {
            print(figures[0].tableLine(referenceName: "distinct final heads", target: 1) + " (target: equal)")
            print(figures[1].tableLine(referenceName: "sent", target: 1) + " (target: none lost)")
            print(figures[2].tableLine(referenceName: "budget", target: 1) + " (peak RSS of sluice serve)")
            print(
                String(format: "storm: %d pushes sent in %.2f s, queue drained after %.1f s; ", deliveries.count, sent / .seconds(1), drained / .seconds(1))
                    + "\(runs.count - executed.count) runs superseded, \(executed.filter { $0.state == .passed }.count) passed")
        }
    }

    /// GitHub's signed push webhook for `project`.
    static func deliverPush(
        _ client: HTTPClient, base: String, project: String, before: String, after: String
    ) async throws -> HTTPResponse {
        try await client.send(
            GitHubDelivery.request(
                to: "\(base)/hooks/github/\(project)", event: "push",
                body: GitHubDelivery.push(before: before, after: after, repository: "acme/\(project)", pusher: "bench"),
                secret: secret))
    }

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("sluice-bench e2e: \(message)\n".utf8))
    }
}
