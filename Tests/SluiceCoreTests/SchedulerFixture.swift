@testable import Curl
import Foundation
@testable import Git
import Logging
import ServiceLifecycle
@testable import SluiceServer
import SluiceTesting
import Synchronization
import Testing

@testable import SluiceCore

/// A model repository served over smart HTTP as `acme/churn`, a deploy repository, a fake
/// GitHub, a store and a scheduler running in a service group: the running service without
/// its HTTP front, which tests feed by recording deliveries as ingress does.
final class SchedulerFixture: Sendable {
    /// A spec whose only step is `sh train.sh`, so each commit decides what training does.
    static func spec(data: String = "") -> String {
        """
        version: 1
        model: churn
        release_branch: main
        inputs:
          paths: [train.sh, .sluice.yml]
        \(data)steps:
          train: { run: sh train.sh, timeout: 2m }
          validate: { run: cat "$SLUICE_METRICS", timeout: 1m }
        artifact: model.json
        gate:
          - metric: auc
            min: 0.8
            max_drop: 0.01
        environments: [staging, production]
        deploy:
          template: kserve
          values: { format: sklearn }
        """
    }

    /// A training script that reaches `auc` after sleeping `seconds`; a test that wants a step
    /// to hang until it is stopped sleeps 3141 seconds, and finds it among the host's processes
    /// by that number.
    static func train(auc: Double, sleep seconds: Int = 0) -> String {
        var script = "echo \"training, step secret: ${HF_TOKEN:-absent}\"\n"
        if seconds > 0 { script += "sleep \(seconds)\n" }
        script += "echo '{\"weights\": [\(auc)]}' > \"$SLUICE_OUTPUT/model.json\"\n"
        script += "echo \"${HF_TOKEN:-absent}\" > \"$SLUICE_OUTPUT/secret.txt\"\n"
        script += "echo '{\"auc\": \(auc)}' > \"$SLUICE_METRICS\"\n"
        return script
    }

    let deploy: DeployRemote
    let model: RemoteFixture
    let modelServer: GitHTTPServer
    let forge: FakeForge
    let store: Store
    let config: ServerConfig
    let promoter: Promoter
    private let group: ServiceGroup
    private let running = Mutex<Task<Void, any Error>?>(nil)

    /// Starts the scheduler against `apiURL` (the fake forge's address); with `startsScheduler`
    /// false, only once the test calls `startScheduler()`.
    init(
        apiURL: String, forge: FakeForge, sandbox: SandboxMode = .none, shutdownGrace: Duration = .seconds(30),
        maxParallel: Int = 2, startsScheduler: Bool = true
    ) async throws {
        deploy = try DeployRemote("scheduler-tests")
        let remotes = deploy.scratch.path("models")
        try FileManager.default.createDirectory(at: remotes.appending(path: "acme"), withIntermediateDirectories: true)
        model = try RemoteFixture(named: "churn", in: remotes.appending(path: "acme"))
        modelServer = try GitHTTPServer(root: remotes)
        self.forge = forge
        let state = deploy.scratch.path("state")
        config = ServerConfig(
            publicURL: URL(string: "https://sluice.example.com"), stateDirectory: state,
            projects: [
                ProjectConfig(
                    name: "churn", forge: .github, repo: modelServer.url("acme/churn.git"), token: Secret(forge.token),
                    stepSecrets: ["HF_TOKEN": Secret("hf-step-secret-55")], apiURL: apiURL,
                    environments: [
                        EnvironmentPolicy(name: "staging", auto: true),
                        EnvironmentPolicy(name: "production", approvals: 1, approvers: ["alice"]),
                    ])
            ],
            deploy: deploy.config,
            datasets: [DatasetConfig(name: "transactions", match: "file://*")],
            executor: ExecutorConfig(maxParallel: maxParallel, sandbox: sandbox, shutdownGrace: shutdownGrace, lease: .seconds(3)),
            dataFolders: [deploy.scratch.path("data")])
        var logger = Logger(label: "scheduler-tests")
        logger.logLevel = .critical
        let service = try await SluiceService.build(
            config: config, templates: PromotionFixture.templates, clock: SystemClock(), logger: logger,
            timing: Scheduler.Timing(tick: .milliseconds(50)))
        store = service.store
        promoter = service.promoter
        let group = ServiceGroup(services: [service.scheduler], logger: logger)
        self.group = group
        if startsScheduler { startScheduler() }
    }

    func startScheduler() {
        let group = group
        running.withLock { $0 = Task { try await group.run() } }
    }

    /// Stops the scheduler as SIGTERM would, and waits until it has.
    func shutDown() async throws {
        await group.triggerGracefulShutdown()
        try await running.withLock { $0 }?.value
    }

    /// Commits `files` on `branch`, pushes, and records the push as GitHub's webhook would
    /// make ingress record it. Returns the commit.
    @discardableResult
    func push(_ files: [String: String?], branch: String = "main") async throws -> String {
        let before = model.remoteCommit("refs/heads/\(branch)") ?? Push.zeroCommit
        let commit = try model.commit(files)
        try model.push(branch)
        try await deliver(
            .push(
                Push(
                    project: "churn", ref: "refs/heads/\(branch)", refKind: .branch, before: before, after: commit,
                    created: before == Push.zeroCommit, deleted: false, forced: false, pusher: "dana")))
        return commit
    }

    /// Records a delivery carrying `trigger`.
    /// Records a delivery carrying `trigger`; returns the trigger's id.
    @discardableResult
    func deliver(_ trigger: Trigger, event: String = "test") async throws -> Int64 {
        let key = UUID().uuidString
        let receipt = try await store.record(
            IncomingDelivery(
                source: "github", project: trigger.project, event: event, deliveryKey: "github:\(key)",
                verdict: .accepted([KeyedTrigger(trigger, dedupeKey: key)])))
        var accepted: Int64?
        if case .accepted(_, let triggers) = receipt { accepted = triggers.first?.id }
        return try #require(accepted, "the delivery was not accepted: \(receipt)")
    }

    /// A pull request trigger for `head` on branch `branch`.
    static func pullRequest(
        _ number: Int, head: String, branch: String, action: PullRequest.Action = .opened, fork: Bool = false
    ) -> Trigger {
        .pullRequest(
            PullRequest(
                project: "churn", number: number, action: action, headSHA: head, headRef: branch, baseRef: "main",
                previousHeadSHA: nil, mergeCommitSHA: nil, isFork: fork, author: "erin"))
    }

    /// Waits until `condition` holds, looking every 50 ms, for at most `limit`.
    func eventually(
        _ what: String, within limit: Duration = .seconds(60), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw Deadline.Passed()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The runs, oldest first.
    func runs() async throws -> [Run] {
        try await store.runs(limit: 100).reversed()
    }

    /// Waits until `count` runs have finished and returns every run, oldest first.
    func finishedRuns(_ count: Int, within limit: Duration = .seconds(60)) async throws -> [Run] {
        try await eventually("\(count) runs have finished", within: limit) {
            try await runs().filter { $0.state != .running }.count >= count
        }
        return try await runs()
    }

    /// The pids of live processes running `sleep 3141` (a step of `train(sleep: 3141)`).
    static func sleepingTrainers() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { entry in
            guard Int(entry) != nil,
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8), !stat.contains(") Z "),
                let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return false }
            return String(decoding: command, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
                .hasPrefix("sleep 3141")
        }
    }
}
