import Foundation
@testable import Git
import Logging
@testable import SluiceServer
import SluiceTesting
import Testing

@testable import SluiceCore

/// A model repository, its registered versions, and a deploy repository over smart HTTP.
struct PromotionFixture {
    /// This checkout's `templates/` folder.
    static let templates = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "templates")
    static let spec = """
        version: 1
        model: churn
        steps:
          train: python3 train.py
        artifact: model.json
        environments: [staging, production]
        deploy:
          template: kserve
          values: { format: sklearn }
        """

    let deploy: DeployRemote
    let model: RemoteFixture
    let store: Store
    let config: ServerConfig
    let ledger: PromotionLedger
    let workspace: Workspace
    let promoter: Promoter

    /// The server's protection of churn's environments.
    static let environments = [
        EnvironmentPolicy(name: "staging", auto: true),
        EnvironmentPolicy(name: "production", approvals: 1, approvers: ["alice", "bob", "dana"], namespace: "ml-prod"),
    ]

    init(deployConfig: Bool = true, environments: [EnvironmentPolicy] = Self.environments) async throws {
        deploy = try DeployRemote()
        let models = deploy.scratch.path("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        model = try RemoteFixture(named: "churn", in: models)
        let state = deploy.scratch.path("state")
        config = ServerConfig(
            publicURL: URL(string: "https://sluice.example.com"), stateDirectory: state,
            projects: [ProjectConfig(name: "churn", forge: .github, repo: model.fileURL, environments: environments)],
            deploy: deployConfig ? deploy.config : nil)
        let service = try await SluiceService.build(
            config: config, templates: Self.templates, clock: SystemClock(), logger: Logger(label: "promoter-tests"))
        store = service.store
        ledger = service.ledger
        workspace = service.workspace
        promoter = service.promoter
    }

    /// Commits `files` (the spec by default) to the model repository, pushes, fetches the
    /// project's mirror as a run would, and registers a passed run of that commit, pushed by dana.
    func version(
        _ files: [String: String?] = [".sluice.yml": spec], digit: Character = "d", report: GateReport? = nil
    ) async throws -> ModelVersion {
        let commit = try model.commit(files)
        try model.push()
        _ = try await workspace.refresh(config.projects[0])
        let run = try await store.startRun(project: "churn", repository: model.fileURL, commit: commit, branch: "main")
        try await store.finishRun(
            run, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(
                model: "churn", gateReport: report, artifactDigest: Digest.repeating(digit)))
        return try await store.register(run, branch: "main", provenance: ModelVersion.Provenance(broughtBy: ["dana"]))
    }

    /// Promotes `version` with the spec its run read: the one in its commit.
    func promote(_ version: ModelVersion) async throws -> Promoter.Outcome {
        let commit = try #require(ObjectID(hex: version.run.commit))
        let spec = try GateRunner.readSpec(workspace.mirror(for: config.projects[0]).repository, commit)
        return try await promoter.promote(version, spec: spec)
    }

    func manifest(_ environment: String) throws -> String {
        try deploy.git(["show", "main:environments/\(environment)/churn.yaml"])
    }
}

@Suite("Promoter: requested, approved, written to the deploy repository, rolled back")
struct PromoterTests {
    @Test("A new version goes to staging at once and waits for production; the approval writes production's manifest")
    func promoteAndApprove() async throws {
        let fixture = try await PromotionFixture()
        let version = try await fixture.version()
        let promotions = try await fixture.promote(version).promotions
        #expect(promotions.map(\.environment) == ["staging", "production"])
        #expect(promotions.map(\.state) == [.applied, .pendingApproval])
        #expect(promotions[1].broughtBy == ["dana"])
        #expect(try fixture.manifest("staging").contains("https://sluice.example.com/api/v1/artifacts/sha256/" + String(repeating: "d", count: 64)))
        #expect(fixture.deploy.fixture.remoteCommit("main") == promotions[0].deployCommit)
        #expect(try await fixture.store.version(of: "churn", in: "staging") == version.number)
        #expect(try await fixture.store.version(of: "churn", in: "production") == nil)

        let own = await #expect(throws: PromotionError.self) {
            try await fixture.promoter.approve(promotions[1].id, as: "dana")
        }
        #expect(own?.code == .selfApproval)
        let applied = try await fixture.promoter.approve(promotions[1].id, as: "alice")
        #expect(applied.state == .applied)
        #expect(try fixture.manifest("production").contains(#"sluice.dev/environment: "production""#))
        #expect(try fixture.manifest("production").contains(#"namespace: "ml-prod""#))
        #expect(try await fixture.store.version(of: "churn", in: "production") == version.number)
        let message = try fixture.deploy.git(["log", "-1", "--format=%B", "main"])
        #expect(message.hasPrefix("Promote churn v1 to production\n"))
        #expect(message.contains("Source: \(fixture.model.fileURL)@\(version.run.commit)"))
        #expect(message.contains("Digest: sha256:" + String(repeating: "d", count: 64)))
        #expect(message.contains("Run: \(version.run.id.rawValue)"))
        #expect(message.contains("Approved by: alice"))
        #expect(message.contains("Sluice-Promotion: \(applied.id.rawValue)@\(fixture.store.installationID)"))
        #expect(message.contains("Sluice-Model: churn v1"))
        let actions = try await fixture.store.auditEntries(limit: 100).map(\.action)
        #expect(actions.filter { $0 == "promotion.applied" }.count == 2)
    }

    @Test("A template path in the model repository is read from the version's own commit")
    func repositoryTemplate() async throws {
        let fixture = try await PromotionFixture()
        let spec = PromotionFixture.spec.replacingOccurrences(of: "template: kserve", with: "template: deploy/model.yaml.mustache")
        let version = try await fixture.version([
            ".sluice.yml": spec,
            "deploy/model.yaml.mustache": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{name}}\ndata:\n  uri: {{storage_uri}}\n",
        ])
        let promotions = try await fixture.promote(version).promotions
        #expect(promotions[0].state == .applied, "\(promotions[0].reason ?? "")")
        #expect(try fixture.manifest("staging").contains(#"name: "churn-staging""#))
    }

    @Test("A version whose spec has no deploy section fails its promotion, saying what to add")
    func noDeploySection() async throws {
        let fixture = try await PromotionFixture()
        let spec = PromotionFixture.spec.components(separatedBy: "deploy:")[0]
        let promotions = try await fixture.promote(try await fixture.version([".sluice.yml": spec])).promotions
        #expect(promotions[0].state == .failed)
        #expect(promotions[0].reason?.contains("has no deploy section") == true)
        #expect(try fixture.deploy.git(["rev-list", "--count", "main"]) == "1")
    }

    @Test("Without a deploy repository, an approved promotion waits and says why; nothing is lost")
    func waitsForDeployRepository() async throws {
        let fixture = try await PromotionFixture(deployConfig: false)
        let promotions = try await fixture.promote(try await fixture.version()).promotions
        #expect(promotions[0].state == .approved)
        #expect(promotions[0].reason?.contains("add deploy.repo") == true)
        #expect(try await fixture.store.approvedPromotions().map(\.id) == [promotions[0].id])
    }

    @Test("A rollback writes the earlier manifest, records the move, and pins the environment against automation")
    func rollback() async throws {
        let fixture = try await PromotionFixture()
        let v1 = try await fixture.version(digit: "1")
        _ = try await fixture.promote(v1)
        let v2 = try await fixture.version([".sluice.yml": PromotionFixture.spec + "\n"], digit: "2")
        _ = try await fixture.promote(v2)
        #expect(try await fixture.store.version(of: "churn", in: "staging") == v2.number)

        let never = await #expect(throws: PromotionError.self) {
            try await fixture.promoter.rollback("churn", in: "staging", to: ModelVersion.Number(7), by: "alice", reason: "x")
        }
        #expect(never?.code == .invalidRollback)
        #expect(never?.message.contains("staging never held churn v7") == true)

        let rollback = try await fixture.promoter.rollback("churn", in: "staging", to: nil, by: "alice", reason: "latency regressed")
        #expect(rollback.state == .applied)
        #expect(rollback.version == v1.number)
        #expect(try await fixture.store.version(of: "churn", in: "staging") == v1.number)
        #expect(try fixture.manifest("staging").contains(String(repeating: "1", count: 64)))
        let message = try fixture.deploy.git(["log", "-1", "--format=%B", "main"])
        #expect(message.hasPrefix("Roll back churn in staging to v1\n"))
        #expect(message.contains("Rolled back by: alice (latency regressed)"))
        let history = try await fixture.store.environmentHistory(of: "churn", environment: "staging")
        #expect(history.last?.actor == "alice" && history.last?.reason.contains("latency regressed") == true)

        // Automation does not undo it: the next version's automatic promotion waits on the pin.
        let v3 = try await fixture.version([".sluice.yml": PromotionFixture.spec + "\n\n"], digit: "3")
        let waiting = try await fixture.promote(v3).promotions[0]
        #expect(waiting.state == .pendingApproval)
        #expect(waiting.reason?.contains("staging is pinned by alice") == true)
        #expect(try fixture.manifest("staging").contains(String(repeating: "1", count: 64)))
    }

    @Test("/sluice approve production in a comment approves as the commenter, who must be an approver")
    func commentCommands() async throws {
        let fixture = try await PromotionFixture()
        let promotions = try await fixture.promote(try await fixture.version()).promotions
        let stranger = CommentCommand(
            project: "churn", number: 7, verb: .approve, environment: "production", commenter: "mallory",
            authorAssociation: "CONTRIBUTOR")
        let refused = await #expect(throws: PromotionError.self) { try await fixture.promoter.decide(stranger) }
        #expect(refused?.message.contains("mallory is not an approver of production") == true)
        var approver = stranger
        approver.commenter = "bob"
        let applied = try await fixture.promoter.decide(approver)
        #expect(applied.id == promotions[1].id)
        #expect(applied.state == .applied)
        let none = await #expect(throws: PromotionError.self) { try await fixture.promoter.decide(approver) }
        #expect(none?.message == "no promotion of churn to production waits for approval")
    }

    @Test("The server's policy protects each environment: a spec may ask for more approvals, never fewer")
    func serverPolicy() async throws {
        let fixture = try await PromotionFixture(environments: [
            EnvironmentPolicy(name: "staging", auto: true),
            EnvironmentPolicy(name: "production", approvals: 1, approvers: ["alice", "bob"], branches: ["release/*"]),
        ])
        let stricter = PromotionFixture.spec.replacingOccurrences(
            of: "environments: [staging, production]", with: "environments: [{ name: staging, approvals: 1 }, production]")
        let outcome = try await fixture.promote(try await fixture.version([".sluice.yml": stricter]))
        #expect(outcome.promotions.map(\.environment) == ["staging"])
        #expect(outcome.promotions[0].state == .pendingApproval)
        #expect(outcome.promotions[0].requiredApprovals == 1)
        #expect(outcome.promotions[0].approvers.isEmpty)
        #expect(outcome.skipped == ["production: only versions from release/* go to production (projects[churn].environments[production].branches)"])
    }

    @Test("A version that loosened the gate rules of the one it replaces needs approval everywhere, automatic staging too")
    func loosenedGateNeedsApproval() async throws {
        let fixture = try await PromotionFixture()
        let report = GateReport(checks: [], baselineLabel: "churn v1 (production)", loosened: ["'auc': min 0.8 was removed"])
        let outcome = try await fixture.promote(try await fixture.version(report: report))
        #expect(outcome.promotions.map(\.state) == [.pendingApproval, .pendingApproval])
        #expect(outcome.promotions[0].requiredApprovals == 1)
        #expect(try fixture.deploy.git(["rev-list", "--count", "main"]) == "1")
    }

    @Test("A project without environments in the server config registers but promotes nowhere, whatever its spec lists")
    func noServerEnvironments() async throws {
        let fixture = try await PromotionFixture(environments: [])
        let outcome = try await fixture.promote(try await fixture.version())
        #expect(outcome.promotions.isEmpty)
        #expect(try await fixture.store.promotions(all: true).isEmpty)
    }

    @Test("What a repository template renders is checked: only allowed kinds, in the environment's namespace, no host access")
    func manifestPolicy() async throws {
        let fixture = try await PromotionFixture()
        let spec = PromotionFixture.spec.replacingOccurrences(of: "template: kserve", with: "template: deploy/evil.yaml.mustache")
        let templates: [(String, String)] = [
            ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: pwn\n",
             "ClusterRoleBinding pwn is not an allowed kind; a promotion may write only InferenceService, Deployment, Service, ConfigMap (deploy.allowed_kinds in the server config)"),
            ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{name}}\n  namespace: kube-system\n",
             "ConfigMap churn-staging names namespace 'kube-system', but this environment sets none (projects[churn].environments[staging].namespace), so objects may not name one"),
            ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{name}}\nspec:\n  template:\n    spec:\n      volumes:\n        - name: root\n          hostPath: { path: / }\n",
             "Deployment churn-staging mounts a directory of the node (hostPath); a promotion may not give a pod its node"),
        ]
        for (index, (template, message)) in templates.enumerated() {
            let version = try await fixture.version(
                [".sluice.yml": spec, "deploy/evil.yaml.mustache": template], digit: Character(String(index + 1)))
            let staging = try await fixture.promote(version).promotions[0]
            #expect(staging.state == .failed)
            #expect(staging.reason == "the manifest of churn \(version.number) for staging is refused: \(message)")
        }
        #expect(try fixture.deploy.git(["rev-list", "--count", "main"]) == "1")
    }
}
