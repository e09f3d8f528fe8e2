import Foundation
import Hummingbird
import HummingbirdTesting
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("The models API on a live server")
struct ModelRoutesTests {
    @Test("A model's versions, and which version an environment held at a time, with its history")
    func versionsAndHistory() async throws {
        let harness = try await ServerHarness()
        let store = harness.store
        let ledger = harness.ledger
        var numbers: [ModelVersion.Number] = []
        for commit in ["c1", "c2"] {
            let run = try await store.startRun(project: "churn", repository: "repo", commit: commit)
            try await store.finishRun(
                run, state: .passed, reason: "gate passed",
                conclusion: Run.Conclusion(model: "churn", artifactDigest: Digest.repeating("a")))
            numbers.append(try await store.register(run, branch: "main").number)
        }
        _ = try await ledger.moveEnvironment("production", of: "churn", to: numbers[0], actor: "alice", reason: "first")
        harness.clock.advance(by: .seconds(3600))
        _ = try await ledger.moveEnvironment("production", of: "churn", to: numbers[1], actor: "bob", reason: "second")
        try await harness.run { client in
            let versions = try await client.execute(uri: "/api/v1/models/churn/versions", method: .get)
            #expect(versions.status == .ok)
            let listed = try JSONSerialization.jsonObject(with: Data(buffer: versions.body)) as? [[String: Any]]
            #expect(listed?.count == 2)
            let unknown = try await client.execute(uri: "/api/v1/models/nope/versions", method: .get)
            #expect(unknown.status == .notFound)

            let then = try await client.execute(
                uri: "/api/v1/models/churn/environments/production?at=2027-01-15T08:30:00Z", method: .get)
            #expect(then.status == .ok)
            #expect(then.json["version"] as? Int == 1)
            #expect((then.json["history"] as? [Any])?.count == 2)
            let now = try await client.execute(uri: "/api/v1/models/churn/environments/production", method: .get)
            #expect(now.json["version"] as? Int == 2)
            let bad = try await client.execute(uri: "/api/v1/models/churn/environments/production?at=yesterday", method: .get)
            #expect(bad.status == .badRequest)
            #expect(bad.json["field"] as? String == "at")
        }
    }
}
