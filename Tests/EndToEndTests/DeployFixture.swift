import Foundation
@testable import Git
@testable import SluiceCore
import SluiceTesting

/// What the write-back tests share: a model repository with a committed spec, a deploy
/// repository over smart HTTP with basic auth, a server config naming both (with the API tokens
/// of ``RegistryFixture``), and a store holding churn v1 with a production promotion that alice
/// may approve.
struct DeployFixture {
    static let webhookSecret = "e2e-comment-secret-8080"

    let deploy: DeployRemote
    let config: URL
    let store: Store
    let version: ModelVersion
    let promotion: Promotion
    /// What the config's `_env` keys need.
    let environment = [
        "CHURN_WEBHOOK_SECRET": webhookSecret, "DEPLOY_TOKEN": DeployRemote.password, "SLUICE_API_TOKENS": RegistryFixture.tokens,
    ]

    var scratch: ScratchDirectory { deploy.scratch }

    init(_ label: String) async throws {
        deploy = try DeployRemote(label)
        let scratch = deploy.scratch
        let model = try RemoteFixture(named: "churn", in: scratch.url)
        let commit = try model.commit([
            ".sluice.yml": """
                version: 1
                model: churn
                steps: { train: python3 train.py }
                artifact: model.json
                environments: [production]
                deploy: { template: kserve, values: { format: sklearn } }
                """
        ])
        try model.push()
        config = try scratch.write(
            """
            listen: 127.0.0.1:0
            state_dir: state
            public_url: https://sluice.example.com
            projects:
              - name: churn
                forge: github
                repo: \(model.fileURL)
                webhook_secret_env: CHURN_WEBHOOK_SECRET
                environments:
                  - name: production
                    approvals: 1
                    approvers: [alice]
            auth:
              tokens_env: SLUICE_API_TOKENS
            deploy:
              repo: \(deploy.url)
              token_env: DEPLOY_TOKEN
              username: \(DeployRemote.user)
            """, to: "sluice.yml")

        let state = scratch.path("state")
        store = try Store(stateDirectory: state)
        try Mirror(path: state.appendingPathComponent("mirrors/churn.git"), remoteURL: model.fileURL).fetch()
        let run = try await store.startRun(project: "churn", repository: model.fileURL, commit: commit)
        try await store.finishRun(
            run, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(model: "churn", artifactDigest: Digest.repeating("e")))
        version = try await store.register(run, branch: "main")
        promotion = try await PromotionLedger(store: store, clock: SystemClock()).requestPromotion(
            of: version, to: EnvironmentPolicy(name: "production", approvals: 1, approvers: ["alice"]), requestedBy: "sluice")
    }

    /// The commits on the deploy repository's main that carry this promotion's trailer.
    func commitsCarryingThePromotion() throws -> [String] {
        try deploy.commits(carrying: Trailer("Sluice-Promotion", "\(promotion.id.rawValue)@\(store.installationID)"))
    }
}
