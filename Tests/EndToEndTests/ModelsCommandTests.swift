import Foundation
import SluiceCore
import SluiceTesting
import Testing

@Suite("sluice models")
struct ModelsCommandTests {
    @Test("sluice models history answers which version an environment held at a time, and lists every move")
    func historyAtATime() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let scratch = try ScratchDirectory("sluice-models")
        let config = try scratch.write(
            """
            state_dir: state
            projects:
              - name: churn
                forge: github
                repo: https://github.com/acme/churn.git
                webhook_secret_env: CHURN_WEBHOOK_SECRET
            """, to: "sluice.yml")
        let store = try Store(stateDirectory: scratch.path("state"))
        for commit in ["c1", "c2"] {
            let run = try await store.startRun(project: "churn", repository: "repo", commit: commit)
            try await store.finishRun(
                run, state: .passed, reason: "gate passed",
                conclusion: Run.Conclusion(model: "churn", artifactDigest: "sha256:" + String(repeating: "a", count: 64)))
            _ = try await store.register(run, branch: "main")
        }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await store.moveEnvironment(
            "production", of: "churn", to: ModelVersion.Number(1), actor: "alice", reason: "approved", at: start)
        _ = try await store.moveEnvironment(
            "production", of: "churn", to: ModelVersion.Number(2), actor: "bob", reason: "approved",
            at: start.addingTimeInterval(3600))
        let environment = ["CHURN_WEBHOOK_SECRET": "s3cret"]
        let base = ["models", "history", "churn", "--env", "production", "--config", config.path]

        let (status, at) = try SluiceProcess.run(base + ["--at", "2027-01-15T08:30:00Z"], environment: environment)
        #expect(status == 0, "\(at)")
        #expect(at.contains("churn v1"))
        let (_, later) = try SluiceProcess.run(base + ["--at", "2027-01-15T09:30:00Z"], environment: environment)
        #expect(later.contains("churn v2"))
        let (_, listing) = try SluiceProcess.run(base, environment: environment)
        #expect(listing.contains("alice") && listing.contains("bob"))
        let (bad, message) = try SluiceProcess.run(base + ["--at", "yesterday"], environment: environment)
        #expect(bad != 0)
        #expect(message.contains("not an ISO 8601 time"))
    }
}
