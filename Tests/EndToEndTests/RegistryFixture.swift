import Foundation
import SluiceCore
import SluiceTesting

/// A server config in a scratch directory, and its store holding registered versions of churn.
struct RegistryFixture {
    let scratch: ScratchDirectory
    let config: URL
    let store: Store
    /// What the config's `_env` keys need.
    let environment = ["CHURN_WEBHOOK_SECRET": "s3cret"]

    init(_ label: String) throws {
        scratch = try ScratchDirectory(label)
        config = try scratch.write(
            """
            state_dir: state
            projects:
              - name: churn
                forge: github
                repo: https://github.com/acme/churn.git
                webhook_secret_env: CHURN_WEBHOOK_SECRET
            """, to: "sluice.yml")
        store = try Store(stateDirectory: scratch.path("state"))
    }

    /// Registers a passed run of `commit` as churn's next version.
    func register(commit: String) async throws -> ModelVersion {
        let run = try await store.startRun(project: "churn", repository: "repo", commit: commit)
        try await store.finishRun(
            run, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(model: "churn", artifactDigest: "sha256:" + String(repeating: "a", count: 64)))
        return try await store.register(run, branch: "main")
    }
}
