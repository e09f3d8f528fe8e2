import Foundation
@testable import SluiceCore
import SluiceTesting

/// A server config in a scratch directory, and its store holding registered versions of churn;
/// production needs one approval from alice, and the API knows alice and mallory (release
/// managers) and victor (viewer).
struct RegistryFixture {
    static let tokens = "alice:release-manager:tok-alice-5150,mallory:release-manager:tok-mallory-6502,victor:viewer:tok-victor-8086"

    let scratch: ScratchDirectory
    let config: URL
    let store: Store
    /// The store's time (2027-01-15T08:00:00Z until a test advances it).
    let clock = ManualClock()
    /// Promotion decisions on the store, at the store's time.
    var ledger: PromotionLedger { PromotionLedger(store: store, clock: clock) }
    /// What the config's `_env` keys need.
    let environment = ["CHURN_WEBHOOK_SECRET": "s3cret", "SLUICE_API_TOKENS": tokens]

    init(_ label: String) throws {
        scratch = try ScratchDirectory(label)
        config = try scratch.write(
            """
            listen: 127.0.0.1:0
            state_dir: state
            projects:
              - name: churn
                forge: github
                repo: https://github.com/acme/churn.git
                webhook_secret_env: CHURN_WEBHOOK_SECRET
                environments:
                  - name: production
                    approvals: 1
                    approvers: [alice]
            auth:
              tokens_env: SLUICE_API_TOKENS
            """, to: "sluice.yml")
        store = try Store(stateDirectory: scratch.path("state"), clock: clock)
    }

    /// The server on this config.
    func serve() throws -> RunningServer {
        try RunningServer(config: config, environment: environment)
    }

    /// Registers a passed run of `commit` as churn's next version; with `artifact` (a file or
    /// folder inside the scratch directory), that artifact is stored and is the version's.
    func register(commit: String, artifact: URL? = nil) async throws -> ModelVersion {
        var digest: Digest?
        if let artifact {
            digest = try await ArtifactStore(directory: scratch.path("state/artifacts")).put(artifact: artifact, within: scratch.url)
        }
        let run = try await store.startRun(project: "churn", repository: "repo", commit: commit)
        try await store.finishRun(
            run, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(
                model: "churn", artifactDigest: digest ?? Digest.repeating("a"),
                artifactPath: artifact?.path))
        return try await store.register(run, branch: "main")
    }
}
