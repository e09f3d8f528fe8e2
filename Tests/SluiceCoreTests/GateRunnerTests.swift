@testable import Curl
import Foundation
@testable import Git
@testable import SluiceCore
import SluiceTesting
import Synchronization
import Testing

@Suite("Runs: the gate on a commit", .serialized)
struct GateRunnerTests {
    /// A scratch state directory, store and runner; steps unsandboxed unless a test says otherwise.
    struct Harness {
        let scratch: ScratchDirectory
        let store: Store
        let runner: GateRunner

        init(sandbox: SandboxMode = .none, secrets: [String] = []) throws {
            scratch = try ScratchDirectory("sluice-gate")
            let state = scratch.path("state")
            store = try Store(stateDirectory: state)
            runner = GateRunner(
                store: store, stateDirectory: state, dataCache: DataCache(stateDirectory: state, http: HTTPClient()),
                clock: SystemClock(), sandbox: sandbox, secrets: secrets)
        }

        /// A repository holding `files`, committed; returns the commit id.
        @discardableResult
        func commit(_ files: [String: String], message: String = "change") throws -> String {
            let repository = scratch.path("repo")
            if !FileManager.default.fileExists(atPath: repository.path) {
                _ = try GitCLI.run(["init", "-q", "-b", "main", repository.path])
            }
            for (path, text) in files {
                let file = repository.appendingPathComponent(path)
                try FileManager.default.createDirectory(
                    at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: file)
            }
            _ = try GitCLI.run(["add", "-A"], in: repository)
            _ = try GitCLI.run(["commit", "-q", "--allow-empty", "-m", message], in: repository)
            return try GitCLI.run(["rev-parse", "HEAD"], in: repository).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func run(
            _ revision: String = "HEAD", branch: String? = nil, comparedWith: RunRequest.Comparison = .none,
            baseline: Baseline? = nil, dataArrival: DataArrival? = nil, trusted: Bool = true,
            stepSecrets: [String: Secret] = [:], policy: ProjectPolicy? = nil
        ) async throws -> (Run, [RunEvent]) {
            let events = Mutex<[RunEvent]>([])
            let run = try await runner.run(
                RunRequest(
                    repository: Repository(at: scratch.path("repo")), repositoryLabel: "repo", project: "churn",
                    policy: policy, revision: revision, branch: branch,
                    comparedWith: comparedWith, baseline: baseline.map(Baseline.Source.given) ?? .none, trusted: trusted, dataArrival: dataArrival,
                    stepSecrets: stepSecrets)
            ) { event in events.withLock { $0.append(event) } }
            return (run, events.withLock { $0 })
        }
    }

    /// A spec whose steps are shell one-liners: train writes the artifact, validate the metrics.
    static func spec(
        train: String = "echo model > $SLUICE_OUTPUT/model.txt", validate: String = #"echo '{"auc": 0.9}' > $SLUICE_METRICS"#,
        test: String = "true", gate: String = "  - metric: auc\n    min: 0.8\n", extra: String = ""
    ) -> String {
        """
        version: 1
        model: churn
        inputs:
          paths: [src/, .sluice.yml]
        \(extra)
        steps:
          test: { run: "\(test.replacingOccurrences(of: "\"", with: "\\\""))", timeout: 1m }
          train: { run: "\(train.replacingOccurrences(of: "\"", with: "\\\""))", timeout: 1m }
          validate: { run: "\(validate.replacingOccurrences(of: "\"", with: "\\\""))", timeout: 1m }
        artifact: model.txt
        gate:
        \(gate)
        """
    }

    static func steps(_ events: [RunEvent]) -> [String] {
        events.compactMap { event in
            if case .stepStarted(let name, _) = event { name } else { nil }
        }
    }

    @Test("The starter project passes its gate with the metrics its evaluate.py writes")
    func starterProjectPasses() async throws {
        let harness = try Harness()
        let template = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../templates/project").standardizedFileURL
        _ = try GitCLI.run(["init", "-q", "-b", "main", harness.scratch.path("repo").path])
        _ = try GitCLI.shell("cp -R '\(template.path)'/. '\(harness.scratch.path("repo").path)'/")
        try harness.commit([:], message: "starter")
        let (run, events) = try await harness.run()
        #expect(run.state == .passed, "\(run.reason ?? "")")
        #expect(Self.steps(events) == ["test", "train", "validate"])
        let metrics = try #require(run.conclusion.metrics)
        #expect(Set(metrics.values.keys).isSuperset(of: ["auc", "accuracy", "precision", "recall", "f1", "latency_p95_ms"]))
        #expect(run.conclusion.artifactDigest != nil)
        #expect(run.conclusion.gateReport?.passed == true)
    }

    @Test("A second run of the same inputs is a cache hit: no step runs, the metrics are the first run's")
    func cacheHitRunsNoStep() async throws {
        let harness = try Harness()
        let mark = harness.scratch.path("trained-count")
        try harness.commit([
            ".sluice.yml": Self.spec(train: "echo x >> \(mark.path) && echo model > $SLUICE_OUTPUT/model.txt"),
            "src/model.py": "weights = 1\n",
        ])
        let (first, _) = try await harness.run()
        #expect(first.state == .passed, "\(first.reason ?? "")")
        try harness.commit([:], message: "an empty commit: the same tree")
        let (second, events) = try await harness.run()
        #expect(second.state == .passed)
        #expect(second.conclusion.cachedFrom == first.id)
        #expect(second.reason?.hasPrefix("cache hit: \(first.id)") == true)
        #expect(Self.steps(events).isEmpty)
        #expect(second.conclusion.metrics == first.conclusion.metrics)
        #expect(try String(contentsOf: mark, encoding: .utf8) == "x\n")

        try harness.commit(["src/model.py": "weights = 2\n"])
        let (third, _) = try await harness.run()
        #expect(third.conclusion.cachedFrom == nil)
        #expect(try String(contentsOf: mark, encoding: .utf8) == "x\nx\n")
    }

    @Test("A file outside inputs.paths that changed (a broken test) runs every step again: no cache hit, the run fails")
    func changedTestIsNeverACacheHit() async throws {
        let harness = try Harness()
        try harness.commit([
            ".sluice.yml": Self.spec(test: "sh tests/check.sh"),
            "src/model.py": "weights = 1\n",
            "tests/check.sh": "exit 0\n",
        ])
        let (first, _) = try await harness.run()
        #expect(first.state == .passed, "\(first.reason ?? "")")
        try harness.commit(["tests/check.sh": "echo 'test_churn: expected 3, got 4'; exit 1\n"])
        let (second, events) = try await harness.run()
        #expect(second.conclusion.cachedFrom == nil)
        #expect(Self.steps(events) == ["test"])
        #expect(second.state == .failed)
        #expect(second.reason == "step test exited with status 1: test_churn: expected 3, got 4")
    }

    @Test("A push that changes only paths outside inputs.paths is skipped, with the reason")
    func readmeOnlyChangeIsSkipped() async throws {
        let harness = try Harness()
        let before = try harness.commit([".sluice.yml": Self.spec(), "src/model.py": "w = 1\n"])
        try harness.commit(["README.md": "docs\n"])
        let (run, events) = try await harness.run(comparedWith: .commit(before))
        #expect(run.state == .skipped)
        #expect(run.reason == "no input path (src/, .sluice.yml) changed since \(before.prefix(12))")
        #expect(Self.steps(events).isEmpty)
    }

    @Test("Without a before, a push is compared with the last trained commit of its own branch")
    func comparedWithLastTrainedCommit() async throws {
        let harness = try Harness()
        try harness.commit([".sluice.yml": Self.spec(), "src/model.py": "w = 1\n"])
        let (first, _) = try await harness.run(branch: "main", comparedWith: .lastTrained)
        #expect(first.state == .passed, "\(first.reason ?? "")")
        try harness.commit(["README.md": "docs\n"])
        let (second, events) = try await harness.run(branch: "main", comparedWith: .lastTrained)
        #expect(second.state == .skipped)
        #expect(second.reason == "no input path (src/, .sluice.yml) changed since \(first.commit.prefix(12))")
        #expect(Self.steps(events).isEmpty)
        try harness.commit(["src/model.py": "w = 2\n"])
        #expect(try await harness.run(branch: "main", comparedWith: .lastTrained).0.state == .passed)
    }

    @Test("A commit trained on another branch or as a pull request does not make a push of the same tree skip")
    func otherBranchesDoNotCount() async throws {
        let harness = try Harness()
        try harness.commit([".sluice.yml": Self.spec(), "src/model.py": "w = 1\n"])
        let (gated, _) = try await harness.run()
        #expect(gated.state == .passed)
        let (feature, _) = try await harness.run(branch: "feature", comparedWith: .lastTrained)
        #expect(feature.state == .passed)
        try harness.commit([:], message: "Merge pull request #7: the same tree")
        let (merge, _) = try await harness.run(branch: "main", comparedWith: .lastTrained)
        #expect(merge.state == .passed, "\(merge.reason ?? "")")
        #expect(merge.conclusion.cachedFrom == feature.id)
        #expect(merge.branch == "main")
    }

    @Test("A symlink a step plants at a later step's log is refused, never written through; the file it names is untouched")
    func plantedLogLinkIsRefused() async throws {
        let harness = try Harness()
        let victim = try harness.scratch.write("the server's own file\n", to: "victim.txt")
        try harness.commit([
            ".sluice.yml": Self.spec(test: "ln -s '\(victim.path)' \"$SLUICE_OUTPUT/../../logs/train.log\""),
            "src/model.py": "w = 1\n",
        ])
        let (run, _) = try await harness.run()
        #expect(run.state == .error)
        #expect(run.reason?.contains("could not start step train") == true, "\(run.reason ?? "")")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "the server's own file\n")
    }

    @Test("A step that swaps an earlier step's log for a link gets nothing of the link's target served")
    func swappedLogIsNotFollowed() async throws {
        let harness = try Harness()
        let secret = try harness.scratch.write("SLUICE_API_TOKENS=alice:admin:hunter2\n", to: "environ")
        try harness.commit([
            ".sluice.yml": Self.spec(
                train: "ln -sf '\(secret.path)' \"$SLUICE_OUTPUT/../../logs/test.log\" && echo model > $SLUICE_OUTPUT/model.txt",
                test: "echo tested"),
            "src/model.py": "w = 1\n",
        ])
        let (run, _) = try await harness.run()
        #expect(run.state == .passed, "\(run.reason ?? "")")
        let directory = RunDirectory(stateDirectory: harness.scratch.path("state"), run: run.id)
        #expect(directory.logBytes(of: "test", from: 0, limit: 1 << 20).isEmpty)
        #expect(directory.logSize(of: "test") == 0)
        #expect(String(decoding: directory.logBytes(of: "train", from: 0, limit: 1 << 20), as: UTF8.self).isEmpty)
    }

    @Test("The server's policy is checked before any step: another project's model, an unknown environment, fewer approvals")
    func policyViolationsStopTheRun() async throws {
        let harness = try Harness()
        let mark = harness.scratch.path("ran")
        try harness.commit([
            ".sluice.yml": Self.spec(
                test: "touch '\(mark.path)'",
                extra: "environments: [staging, { name: production, approvals: 1 }, canary]\n"
            ).replacingOccurrences(of: "model: churn", with: "model: fraud"),
            "src/model.py": "w = 1\n",
        ])
        let policy = ProjectPolicy(
            project: "churn",
            environments: [EnvironmentPolicy(name: "staging", auto: true), EnvironmentPolicy(name: "production", approvals: 2, approvers: ["a", "b"])],
            models: ["churn"], modelOwners: ["churn": "churn", "fraud": "fraud"])
        let (run, events) = try await harness.run(policy: policy)
        #expect(run.state == .error)
        #expect(run.reason == """
            .sluice.yml asks what the server's policy does not allow:
            model: 'fraud' belongs to project fraud (projects[].models in the server config); project churn may register only churn
            environments[1].approvals: 1 is fewer than the 2 that projects[churn].environments[production].approvals requires; a spec may only ask for more approvals, so raise it or remove it
            environments[2]: 'canary' is not an environment of project churn (the server config's projects[churn].environments has staging, production); remove it here or ask the operator to add it
            """)
        #expect(Self.steps(events).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: mark.path))
    }

    @Test("A bad .sluice.yml ends the run in error with the problem's position, before any step")
    func badSpecIsAnError() async throws {
        let harness = try Harness()
        try harness.commit([".sluice.yml": "version: 1\nmodel: churn\nsteps:\n  train: { run: make }\n"])
        let (run, events) = try await harness.run()
        #expect(run.state == .error)
        #expect(run.reason?.contains(".sluice.yml:1:1") == true, "\(run.reason ?? "")")
        #expect(run.reason?.contains("artifact") == true)
        #expect(Self.steps(events).isEmpty)
    }

    @Test("A commit without .sluice.yml ends in error saying to add one")
    func missingSpecIsAnError() async throws {
        let harness = try Harness()
        try harness.commit(["train.py": "print(1)\n"])
        let (run, _) = try await harness.run()
        #expect(run.state == .error)
        #expect(run.reason?.contains("has no .sluice.yml at its root") == true)
    }

    @Test("A failing test step fails the run and training never starts")
    func failingTestStopsTheRun() async throws {
        let harness = try Harness()
        try harness.commit([".sluice.yml": Self.spec(test: "echo broken >&2; exit 3")])
        let (run, events) = try await harness.run()
        #expect(run.state == .failed)
        #expect(run.reason == "step test exited with status 3: broken")
        #expect(Self.steps(events) == ["test"])
        #expect(events.contains { event in if case .output("test", "broken") = event { true } else { false } })
    }

    @Test("Metrics below a bound fail the gate; the reason names the rule")
    func gateFailure() async throws {
        let harness = try Harness()
        try harness.commit([".sluice.yml": Self.spec(validate: #"echo '{"auc": 0.5}' > $SLUICE_METRICS"#)])
        let (run, _) = try await harness.run()
        #expect(run.state == .gateFailed)
        #expect(run.conclusion.gateReport?.passed == false)
        #expect(run.reason?.hasPrefix("gate failed: ") == true)
    }

    @Test("A validate step that writes no metrics ends in error saying what to write")
    func missingMetrics() async throws {
        let harness = try Harness()
        try harness.commit([".sluice.yml": Self.spec(validate: "true")])
        let (run, _) = try await harness.run()
        #expect(run.state == .error)
        #expect(run.reason?.contains("JSON object") == true, "\(run.reason ?? "")")
    }

    @Test("Data inputs reach the steps as SLUICE_DATA_<NAME>, and a wrong pin names both digests")
    func dataInputs() async throws {
        let harness = try Harness()
        let data = harness.scratch.path("customers_v2.csv")
        try Data("id,churned\n1,0\n".utf8).write(to: data)
        let digest = try ArtifactDigest.sha256(ofFile: data)
        let inputs = "  data:\n    - name: customers_v2\n      uri: file://\(data.path)\n      sha256: \(digest.hex)\n"
        try harness.commit([
            ".sluice.yml": Self.spec(train: "cp $SLUICE_DATA_CUSTOMERS_V2 $SLUICE_OUTPUT/model.txt")
                .replacingOccurrences(of: "  paths: [src/, .sluice.yml]\n", with: "  paths: [src/, .sluice.yml]\n" + inputs)
        ])
        let (run, _) = try await harness.run()
        #expect(run.state == .passed, "\(run.reason ?? "")")
        #expect(run.conclusion.dataVersions == ["customers_v2": digest])
        let artifact = try #require(run.conclusion.artifactPath)
        #expect(try String(contentsOfFile: artifact, encoding: .utf8) == "id,churned\n1,0\n")

        let wrong = String(repeating: "0", count: 64)
        try harness.commit([
            ".sluice.yml": Self.spec().replacingOccurrences(
                of: "  paths: [src/, .sluice.yml]\n",
                with: "  paths: [src/, .sluice.yml]\n" + inputs.replacingOccurrences(of: digest.hex, with: wrong))
        ])
        let (pinned, _) = try await harness.run()
        #expect(pinned.state == .error)
        #expect(pinned.reason?.contains(wrong) == true && pinned.reason?.contains(digest.hex) == true, "\(pinned.reason ?? "")")
    }

    @Test("A data arrival's new version replaces the spec's pin for that run")
    func dataArrivalOverridesThePin() async throws {
        let harness = try Harness()
        let pinned = try harness.scratch.write("v1\n", to: "lake/customers-v1.csv")
        let arrived = try harness.scratch.write("v2\n", to: "lake/customers-v2.csv")
        let inputs = "  data:\n    - name: customers\n      uri: file://\(pinned.path)\n"
            + "      sha256: \(try ArtifactDigest.sha256(ofFile: pinned).hex)\n"
        try harness.commit([
            ".sluice.yml": Self.spec(train: "cp $SLUICE_DATA_CUSTOMERS $SLUICE_OUTPUT/model.txt")
                .replacingOccurrences(of: "  paths: [src/, .sluice.yml]\n", with: "  paths: [src/, .sluice.yml]\n" + inputs)
        ])
        let digest = try ArtifactDigest.sha256(ofFile: arrived)
        let arrival = DataArrival(
            source: "lake", dataset: "customers", uri: "file://\(arrived.path)", version: "2", sha256: digest, size: 3)
        let (run, _) = try await harness.run(dataArrival: arrival)
        #expect(run.state == .passed, "\(run.reason ?? "")")
        #expect(run.conclusion.dataVersions == ["customers": digest])
        #expect(try String(contentsOfFile: try #require(run.conclusion.artifactPath), encoding: .utf8) == "v2\n")
    }

    @Test("Step secrets reach trusted steps, redacted from their output, and never untrusted ones")
    func stepSecretsOnlyForTrustedRuns() async throws {
        let harness = try Harness()
        try harness.commit([".sluice.yml": Self.spec(test: "echo token=${HF_TOKEN:-none}")])
        let secrets = ["HF_TOKEN": Secret("hf-1234-secret")]
        let (trusted, trustedEvents) = try await harness.run(stepSecrets: secrets)
        #expect(trusted.state == .passed, "\(trusted.reason ?? "")")
        #expect(Self.lines(trustedEvents).contains("token=<redacted>"))

        guard Bubblewrap.isUsable() else {
            print("skipped the untrusted half: bubblewrap is not usable on this host")
            return
        }
        try harness.commit(["src/change.py": "x = 1\n"])
        let (untrusted, untrustedEvents) = try await harness.run(trusted: false, stepSecrets: secrets)
        #expect(untrusted.state == .passed, "\(untrusted.reason ?? "")")
        #expect(Self.lines(untrustedEvents).contains("token=none"))
    }

    static func lines(_ events: [RunEvent]) -> [String] {
        events.compactMap { if case .output(_, let line) = $0 { line } else { nil } }
    }

    @Test("A secret printed by a step is redacted in the events and the log")
    func secretsAreRedacted() async throws {
        let harness = try Harness(secrets: ["hunter2-token"])
        try harness.commit([".sluice.yml": Self.spec(test: "echo token=hunter2-token")])
        let (run, events) = try await harness.run()
        #expect(run.state == .passed, "\(run.reason ?? "")")
        let lines = events.compactMap { if case .output(_, let line) = $0 { line } else { nil } }
        #expect(lines.contains("token=<redacted>"))
        let log = RunDirectory(stateDirectory: harness.scratch.path("state"), run: run.id).log(of: "test")
        #expect(try !String(contentsOf: log, encoding: .utf8).contains("hunter2"))
    }
}

@Suite("Registry: registering what a run trained")
struct RegistrarTests {
    @Test("A passed run's artifact goes into the artifact store under its digest, then the run becomes v1")
    func registerStoresTheArtifact() async throws {
        let harness = try GateRunnerTests.Harness()
        try harness.commit([".sluice.yml": GateRunnerTests.spec()])
        let (run, _) = try await harness.run()
        let state = harness.scratch.path("state")
        let artifacts = ArtifactStore(directory: StoreLocation.defaultArtifactsDirectory(in: state))
        let registrar = Registrar(store: harness.store, artifacts: artifacts, stateDirectory: state)
        let version = try await registrar.register(run.id, branch: "main")
        #expect(version.number == ModelVersion.Number(1))
        let digest = try #require(run.conclusion.artifactDigest)
        #expect(try await artifacts.open(digest).size > 0)

        try harness.commit([".sluice.yml": GateRunnerTests.spec(validate: #"echo '{"auc": 0.1}' > $SLUICE_METRICS"#)])
        let (failed, _) = try await harness.run()
        let refusal = await #expect(throws: RegistryError.self) { try await registrar.register(failed.id, branch: "main") }
        #expect(refusal?.code == .gateNotPassed)
    }
}
