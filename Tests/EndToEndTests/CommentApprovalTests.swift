@testable import Curl
import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("/sluice approve in a pull-request comment, through a running sluice serve")
struct CommentApprovalTests {
    static func comment(_ text: String, by login: String, delivery: String, to base: String) async throws -> HTTPResponse {
        let body = Data(
            """
            {"action": "created", "issue": {"number": 7, "pull_request": {"url": "https://api.github.com/repos/acme/churn/pulls/7"}},
             "comment": {"body": "\(text)", "user": {"login": "\(login)"}, "author_association": "MEMBER"}}
            """.utf8)
        return try await HTTPClient(retry: .none).send(
            GitHubDelivery.request(
                to: "\(base)/hooks/github/churn", event: "issue_comment", body: body, secret: DeployFixture.webhookSecret,
                id: delivery))
    }

    @Test("A non-approver's comment is refused and recorded; an approver's writes production's manifest")
    func approveInAComment() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let fixture = try await DeployFixture("e2e-comment")
        let serve = try SluiceProcess(["serve", "--config", fixture.config.path], environment: fixture.environment)
        let base = try serve.waitFor(/listening on (http:\/\/[0-9.:]+)/)

        #expect(try await Self.comment("/sluice approve production", by: "mallory", delivery: "c-1", to: base).status == 202)
        try await serve.waitUntil("the refusal is recorded") {
            try await fixture.store.auditEntries(limit: 100).contains { $0.action == "command.refused" }
        }
        let refusal = try await fixture.store.auditEntries(limit: 100).first { $0.action == "command.refused" }
        #expect(refusal?.actor == "mallory")
        #expect(refusal?.details["reason"]?.contains("mallory is not an approver of production") == true)
        #expect(try await fixture.store.promotion(fixture.promotion.id).state == .pendingApproval)

        #expect(try await Self.comment("/sluice approve production", by: "alice", delivery: "c-2", to: base).status == 202)
        try await serve.waitUntil("the promotion is applied") {
            try await fixture.store.promotion(fixture.promotion.id).state == .applied
        }
        let carrying = try fixture.commitsCarryingThePromotion()
        #expect(carrying.count == 1)
        #expect(try await fixture.store.promotion(fixture.promotion.id).deployCommit == carrying.first)
        let message = try fixture.deploy.git(["log", "-1", "--format=%B", "main"])
        #expect(message.contains("Approved by: alice"))
        serve.kill(SIGTERM)
        #expect(serve.waitForExit() == 0)
    }
}
