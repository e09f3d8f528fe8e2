@testable import Curl
import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

/// `sluice serve` as a team runs it: webhooks in, runs, versions and manifests out.
@Suite("The running service, end to end", .serialized)
struct ServiceTests {
    @Test("make demo's flow: push, run, staging, approved production; a worse pull request fails its gate; nothing left running")
    func demo() throws {
        let scratch = try ScratchDirectory("e2e-demo")
        let demo = SluiceProcess.binary.deletingLastPathComponent().appending(path: "sluice-demo")
        let output = try Command.run(
            demo.path, ["--folder", scratch.path("demo").path], in: nil,
            environment: ProcessInfo.processInfo.environment, input: nil,
            failure: { status, output in SluiceProcess.Failure(message: "sluice-demo exited \(status):\n\(output)") })
        #expect(output.contains("run 1: passed: gate passed"))
        #expect(output.contains("production: promotion 2 pending approval by alice or bob"))
        #expect(output.contains("approved by alice. promotion 2 (churn v1 to production): applied"))
        #expect(output.contains("Promote churn v1 to production"))
        #expect(output.contains("kind: InferenceService"))
        #expect(output.contains("run 2: gate_failed"))
        #expect(output.contains("<!-- sluice:pull-request=churn#7 -->"))
        #expect(output.contains("### ❌ Gate failed against churn v1 (production)"))
        #expect(output.contains("commit status sluice/gate on"))
        #expect(output.contains("nothing registered or promoted: churn still has 1 version(s)"))
        #expect(output.contains("make demo: done"))
        #expect(Self.processes(mentioning: scratch.path("demo").path).isEmpty)
    }

    @Test("A server killed mid-run: after the restart the run is taken back and done again, and no step is left behind")
    func restartMidRun() async throws {
        // The shortest lease, so the restarted server takes the trigger back 3 s after the kill.
        let service = try ServiceFixture("e2e-restart", executor: "{ sandbox: auto, lease: 3s }")
        // The first attempt hangs in train until the server dies; the second trains at once.
        try service.commitAndPush(train: "[ \"$SLUICE_RUN_ID\" = 1 ] && sleep 3141\n")
        let first = try service.start()
        #expect(try await service.deliverPush(to: first.base).status == 202)
        try await first.process.waitUntil("run 1 is training") {
            !ServiceTests.processes(mentioning: "sleep 3141").isEmpty
        }
        first.process.kill(SIGKILL)
        _ = first.process.waitForExit()
        // The sandbox dies with the server, so the step goes with it.
        try await first.process.waitUntil("the step is gone") { ServiceTests.processes(mentioning: "sleep 3141").isEmpty }

        let second = try service.start()
        try await second.process.waitUntil("the trigger ran again", within: .seconds(90)) {
            try await service.store.triggerState(1)?.state == "done"
        }
        let runs = try await service.store.runs(limit: 10).reversed().map { $0 }
        #expect(runs.map(\.state) == [.error, .passed])
        #expect(runs[0].reason == "the server stopped during this run (its lease ran out)")
        #expect(try await service.store.versions(of: "churn").count == 1)
        second.process.kill(SIGTERM)
        #expect(second.process.waitForExit() == 0)
    }

    @Test("SIGTERM during a step: the server exits 0 after the grace period, and its next start runs the trigger")
    func gracefulShutdown() async throws {
        let service = try ServiceFixture("e2e-sigterm", executor: "{ sandbox: auto, shutdown_grace: 1s }")
        try service.commitAndPush(train: "[ \"$SLUICE_RUN_ID\" = 1 ] && sleep 3141\n")
        let first = try service.start()
        #expect(try await service.deliverPush(to: first.base).status == 202)
        try await first.process.waitUntil("run 1 is training") {
            !ServiceTests.processes(mentioning: "sleep 3141").isEmpty
        }
        first.process.kill(SIGTERM)
        #expect(first.process.waitForExit() == 0)
        #expect(ServiceTests.processes(mentioning: "sleep 3141").isEmpty)
        #expect(try await service.store.triggerState(1)?.state == "queued")
        #expect(try await service.store.run(Run.ID(1))?.state == .cancelled)

        let second = try service.start()
        try await second.process.waitUntil("the trigger ran on the next start") {
            try await service.store.triggerState(1)?.state == "done"
        }
        #expect(try await service.store.run(Run.ID(2))?.state == .passed)
        second.process.kill(SIGTERM)
        #expect(second.process.waitForExit() == 0)
    }

    @Test("The same delivery twice is acknowledged twice and runs once")
    func sameDeliveryTwice() async throws {
        let service = try ServiceFixture("e2e-duplicate")
        try service.commitAndPush(train: "")
        let server = try service.start()
        let delivery = UUID().uuidString
        #expect(try await service.deliverPush(to: server.base, delivery: delivery).status == 202)
        #expect(try await service.deliverPush(to: server.base, delivery: delivery).status == 200)
        try await server.process.waitUntil("the run has passed") {
            try await service.store.runs(limit: 10).contains { $0.state == .passed }
        }
        #expect(try await service.store.runs(limit: 10).count == 1)
        server.process.kill(SIGTERM)
        #expect(server.process.waitForExit() == 0)
    }

    /// The pids of live processes whose command line contains `text`.
    static func processes(mentioning text: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            guard Int(entry) != nil, entry != String(getpid()),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8), !stat.contains(") Z "),
                let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return false }
            return String(decoding: command, as: UTF8.self).replacingOccurrences(of: "\0", with: " ").contains(text)
        }
    }
}

/// A model repository with a quick shell pipeline and a server config for it; `start` runs
/// `sluice serve` on a free port.
struct ServiceFixture {
    static let secret = "e2e-service-secret-1207"

    let scratch: ScratchDirectory
    let model: RemoteFixture
    let config: URL
    let store: Store
    private let client = HTTPClient(retry: .none)

    init(_ label: String, executor: String = "{ sandbox: auto }") throws {
        scratch = try ScratchDirectory(label)
        model = try RemoteFixture(named: "churn", in: scratch.url)
        config = try scratch.write(
            """
            listen: 127.0.0.1:0
            state_dir: state
            projects:
              - name: churn
                forge: github
                repo: \(model.fileURL)
                webhook_secret_env: E2E_WEBHOOK_SECRET
            executor: \(executor)
            """, to: "sluice.yml")
        store = try Store(stateDirectory: scratch.path("state"))
    }

    /// Commits a spec whose train step runs `train` and then writes the artifact and metrics.
    func commitAndPush(train: String) throws {
        try model.commit([
            ".sluice.yml": """
                version: 1
                model: churn
                steps: { train: sh train.sh, validate: cat "$SLUICE_METRICS" }
                artifact: model.json
                gate: [{ metric: auc, min: 0.5 }]
                """,
            "train.sh": train + "echo '{}' > \"$SLUICE_OUTPUT/model.json\"; echo '{\"auc\": 0.9}' > \"$SLUICE_METRICS\"\n",
        ])
        try model.push()
    }

    func start() throws -> (process: SluiceProcess, base: String) {
        let process = try SluiceProcess(["serve", "--config", config.path], environment: ["E2E_WEBHOOK_SECRET": Self.secret])
        return (process, try process.waitFor(/listening on (http:\/\/[0-9.:]+)/))
    }

    /// GitHub's push webhook for the work clone's head on main.
    func deliverPush(to base: String, delivery: String = UUID().uuidString) async throws -> HTTPResponse {
        let head = try model.git(["rev-parse", "HEAD"])
        return try await client.send(
            GitHubDelivery.request(
                to: "\(base)/hooks/github/churn", event: "push", body: GitHubDelivery.push(before: Push.zeroCommit, after: head),
                secret: Self.secret, id: delivery))
    }
}
