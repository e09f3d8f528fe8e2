import Foundation
import SluiceCore
import SluiceTesting
import Testing

@Suite("sluice models")
struct ModelsCommandTests {
    @Test("sluice models history answers which version an environment held at a time, and lists every move")
    func historyAtATime() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try RegistryFixture("sluice-models")
        let store = fixture.store
        for commit in ["c1", "c2"] { _ = try await fixture.register(commit: commit) }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await store.moveEnvironment(
            "production", of: "churn", to: ModelVersion.Number(1), actor: "alice", reason: "approved", at: start)
        _ = try await store.moveEnvironment(
            "production", of: "churn", to: ModelVersion.Number(2), actor: "bob", reason: "approved",
            at: start.addingTimeInterval(3600))
        let base = ["models", "history", "churn", "--env", "production"]
        let server = try fixture.serve()
        let environment = server.client(token: "tok-victor-8086")

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
        let (versions, table) = try SluiceProcess.run(["models", "churn"], environment: environment)
        #expect(versions == 0, "\(table)")
        #expect(table.contains("v1") && table.contains("v2"))
        let (anonymous, refusal) = try SluiceProcess.run(["models", "churn"], environment: server.client(token: nil))
        #expect(anonymous == 1)
        #expect(refusal.contains("set SLUICE_TOKEN"))
        #expect(server.stop() == 0)
    }
}
