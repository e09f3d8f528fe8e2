import Foundation
import SluiceCore
import SluiceTesting
import Testing

@Suite("sluice promotions, approve and reject")
struct PromotionCommandsTests {
    @Test("An approver's approval is recorded; a non-approver is refused with who may, and exit status 1")
    func approveFromTheCommandLine() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try RegistryFixture("sluice-promotions")
        let (config, store, environment) = (fixture.config, fixture.store, fixture.environment)
        let version = try await fixture.register(commit: "c1")
        let promotion = try await store.requestPromotion(
            of: version, to: .init(name: "production", approvals: 1, approvers: ["alice"]), requestedBy: "sluice",
            author: "dave")
        let id = String(promotion.id.rawValue)

        let (listed, listing) = try SluiceProcess.run(["promotions", "--config", config.path], environment: environment)
        #expect(listed == 0)
        #expect(listing.contains("churn v1") && listing.contains("pending_approval"))
        let (refused, refusal) = try SluiceProcess.run(
            ["approve", id, "--as", "mallory", "--config", config.path], environment: environment)
        #expect(refused == 1)
        #expect(refusal.contains("mallory is not an approver of production"))
        let (approved, approval) = try SluiceProcess.run(
            ["approve", id, "--as", "alice", "--config", config.path], environment: environment)
        #expect(approved == 0, "\(approval)")
        // This config has no deploy repository, so the completed promotion waits and says why.
        #expect(approval.contains("promotion 1 (churn v1 to production): approved, not written yet: no deploy repository"))

        let pin = ["churn", "--env", "production", "--as", "alice", "--config", config.path]
        let (pinned, pinning) = try SluiceProcess.run(["pin"] + pin + ["--reason", "incident 42"], environment: environment)
        #expect(pinned == 0, "\(pinning)")
        let (unpinned, _) = try SluiceProcess.run(["unpin"] + pin, environment: environment)
        #expect(unpinned == 0)
        let (again, notPinned) = try SluiceProcess.run(["unpin"] + pin, environment: environment)
        #expect(again == 1)
        #expect(notPinned.contains("production is not pinned for churn"))
    }

    @Test("sluice rollback goes back to the previous version and pins; a version never held is refused")
    func rollbackFromTheCommandLine() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try RegistryFixture("sluice-rollback")
        let (config, store, environment) = (fixture.config, fixture.store, fixture.environment)
        for commit in ["c1", "c2"] {
            let version = try await fixture.register(commit: commit)
            _ = try await store.moveEnvironment("production", of: "churn", to: version.number, actor: "alice", reason: "test")
        }
        let rollback = ["rollback", "churn", "--env", "production", "--as", "alice", "--config", config.path]

        let (malformed, usage) = try SluiceProcess.run(rollback + ["--to", "latest", "--reason", "x"], environment: environment)
        #expect(malformed == 64, "\(usage)")
        #expect(usage.contains("--to takes a version number such as 3 or v3"))
        let (refused, refusal) = try SluiceProcess.run(rollback + ["--to", "v7", "--reason", "x"], environment: environment)
        #expect(refused == 1)
        #expect(refusal.contains("production never held churn v7"))
        let (status, output) = try SluiceProcess.run(rollback + ["--reason", "latency regressed"], environment: environment)
        #expect(status == 0, "\(output)")
        #expect(output.contains("(churn v1 to production): approved, not written yet: no deploy repository"))
        #expect(output.contains("production is pinned for churn"))
        #expect(try await store.promotions().first?.rollbackReason == "latency regressed")
    }
}
