import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("sluice promotions, approve, reject, pin and rollback, through the server's API")
struct PromotionCommandsTests {
    @Test("The token decides who approves: none is refused, a viewer is refused, a non-approver is refused with who may")
    func approveFromTheCommandLine() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try RegistryFixture("sluice-promotions")
        let store = fixture.store
        let ledger = fixture.ledger
        let version = try await fixture.register(commit: "c1")
        let promotion = try await ledger.requestPromotion(
            of: version, to: EnvironmentPolicy(name: "production", approvals: 1, approvers: ["alice"]), requestedBy: "sluice")
        let id = String(promotion.id.rawValue)
        let server = try fixture.serve()

        let (listed, listing) = try SluiceProcess.run(["promotions"], environment: server.client(token: "tok-victor-8086"))
        #expect(listed == 0, "\(listing)")
        #expect(listing.contains("churn v1") && listing.contains("pending_approval"))

        let (nowhere, noURL) = try SluiceProcess.run(["approve", id], environment: fixture.environment)
        #expect(nowhere == 2)
        #expect(noURL.contains("set SLUICE_URL to the server's address"))
        let (anonymous, noToken) = try SluiceProcess.run(["approve", id], environment: server.client(token: nil))
        #expect(anonymous == 1)
        #expect(noToken.contains("send a token from SLUICE_API_TOKENS") && noToken.contains("set SLUICE_TOKEN to your API token"))
        let (forged, forgedToken) = try SluiceProcess.run(["approve", id], environment: server.client(token: "tok-alice-guess"))
        #expect(forged == 1)
        #expect(forgedToken.contains("send a token from SLUICE_API_TOKENS"))
        let (impersonation, gone) = try SluiceProcess.run(
            ["approve", id, "--as", "alice"], environment: server.client(token: "tok-mallory-6502"))
        #expect(impersonation == 64)
        #expect(gone.contains("--as is gone"))
        let (viewer, viewerRefusal) = try SluiceProcess.run(["approve", id], environment: server.client(token: "tok-victor-8086"))
        #expect(viewer == 1)
        #expect(viewerRefusal.contains("victor has role viewer; this needs release-manager or above"))
        let (refused, refusal) = try SluiceProcess.run(["approve", id], environment: server.client(token: "tok-mallory-6502"))
        #expect(refused == 1)
        #expect(refusal.contains("mallory is not an approver of production"))
        #expect(try await store.promotion(promotion.id).state == .pendingApproval)

        let (approved, approval) = try SluiceProcess.run(["approve", id], environment: server.client(token: "tok-alice-5150"))
        #expect(approved == 0, "\(approval)")
        #expect(approval.hasPrefix("approved by alice."))
        // This config has no deploy repository, so the completed promotion waits and says why.
        #expect(approval.contains("promotion 1 (churn v1 to production): approved, not written yet: no deploy repository"))
        #expect(try await store.promotion(promotion.id).approvals.map(\.approver) == ["alice"])

        let alice = server.client(token: "tok-alice-5150")
        let pin = ["churn", "--env", "production"]
        let (pinned, pinning) = try SluiceProcess.run(["pin"] + pin + ["--reason", "incident 42"], environment: alice)
        #expect(pinned == 0, "\(pinning)")
        let (unpinned, unpinning) = try SluiceProcess.run(["unpin"] + pin, environment: alice)
        #expect(unpinned == 0, "\(unpinning)")
        let (again, notPinned) = try SluiceProcess.run(["unpin"] + pin, environment: alice)
        #expect(again == 1)
        #expect(notPinned.contains("production is not pinned for churn"))
        let pins = try await store.auditEntries(limit: 100).filter { $0.action.hasPrefix("environment.") && $0.action.hasSuffix("pinned") }
        #expect(pins.map(\.actor) == ["alice", "alice"])
        #expect(server.stop() == 0)
    }

    @Test("sluice rollback goes back to the previous version and pins, as the token's holder; a version never held is refused")
    func rollbackFromTheCommandLine() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try RegistryFixture("sluice-rollback")
        let store = fixture.store
        let ledger = fixture.ledger
        for commit in ["c1", "c2"] {
            let version = try await fixture.register(commit: commit)
            _ = try await ledger.moveEnvironment("production", of: "churn", to: version.number, actor: "alice", reason: "test")
        }
        let server = try fixture.serve()
        let alice = server.client(token: "tok-alice-5150")
        let rollback = ["rollback", "churn", "--env", "production"]

        let (malformed, usage) = try SluiceProcess.run(rollback + ["--to", "latest", "--reason", "x"], environment: alice)
        #expect(malformed == 64, "\(usage)")
        #expect(usage.contains("--to takes a version number such as 3 or v3"))
        let (refused, refusal) = try SluiceProcess.run(rollback + ["--to", "v7", "--reason", "x"], environment: alice)
        #expect(refused == 1)
        #expect(refusal.contains("production never held churn v7"))
        let (status, output) = try SluiceProcess.run(rollback + ["--reason", "latency regressed"], environment: alice)
        #expect(status == 0, "\(output)")
        #expect(output.contains("(churn v1 to production): approved, not written yet: no deploy repository"))
        #expect(output.contains("production is pinned for churn"))
        let promotion = try #require(try await store.promotions().first)
        #expect(promotion.rollbackReason == "latency regressed")
        #expect(promotion.requestedBy == "alice")
        #expect(server.stop() == 0)
    }
}
