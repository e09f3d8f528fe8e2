import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite("The promotions API on a live server")
struct PromotionRoutesTests {
    static let auth = AuthConfig(
        tokensVariable: "SLUICE_API_TOKENS",
        tokens: [
            APIToken(name: "alice", role: .releaseManager, token: Secret("tok-alice")),
            APIToken(name: "mallory", role: .releaseManager, token: Secret("tok-mallory")),
            APIToken(name: "eve", role: .viewer, token: Secret("tok-eve")),
        ])

    /// A registered churn v1 with a production promotion that alice may approve.
    static func pendingPromotion(_ harness: ServerHarness) async throws -> Promotion {
        let store = harness.store
        let run = try await store.startRun(project: "churn", repository: "repo", commit: "c1")
        try await store.finishRun(
            run, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(model: "churn", artifactDigest: Digest.repeating("a")))
        let version = try await store.register(run, branch: "main", provenance: .init(broughtBy: ["dave"]))
        return try await harness.ledger.requestPromotion(
            of: version, to: EnvironmentPolicy(name: "production", approvals: 1, approvers: ["alice"]), requestedBy: "sluice")
    }

    static func post(
        _ client: some TestClientProtocol, _ uri: String, token: String?, body: String = ""
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test("An approver's release-manager token approves; the token's name is the approver")
    func approverApproves() async throws {
        let harness = try await ServerHarness(auth: Self.auth)
        let promotion = try await Self.pendingPromotion(harness)
        try await harness.run { client in
            let uri = "/api/v1/promotions/\(promotion.id.rawValue)/approve"
            let response = try await Self.post(client, uri, token: "tok-alice")
            #expect(response.status == .ok)
            #expect(response.json["state"] as? String == "approved")
            // The approval completed it, so it was written at once: this server has no deploy
            // repository configured, so it waits and says so.
            #expect((response.json["reason"] as? String)?.contains("add deploy.repo") == true)
            let again = try await Self.post(client, uri, token: "tok-alice")
            #expect(again.status == .conflict)
        }
    }

    @Test("No token, a viewer's token and a non-approver are refused, each saying why")
    func refusals() async throws {
        let harness = try await ServerHarness(auth: Self.auth)
        let promotion = try await Self.pendingPromotion(harness)
        try await harness.run { client in
            let uri = "/api/v1/promotions/\(promotion.id.rawValue)/approve"
            let anonymous = try await Self.post(client, uri, token: nil)
            #expect(anonymous.status == .unauthorized)
            let viewer = try await Self.post(client, uri, token: "tok-eve")
            #expect(viewer.status == .forbidden)
            #expect((viewer.json["error"] as? String)?.contains("eve has role viewer; this needs release-manager") == true)
            let stranger = try await Self.post(client, uri, token: "tok-mallory")
            #expect(stranger.status == .forbidden)
            #expect((stranger.json["error"] as? String)?.contains("mallory is not an approver of production") == true)
            let missing = try await Self.post(client, "/api/v1/promotions/999/approve", token: "tok-alice")
            #expect(missing.status == .notFound)
            let reasonless = try await Self.post(client, "/api/v1/promotions/\(promotion.id.rawValue)/reject", token: "tok-alice")
            #expect(reasonless.status == .badRequest)
            let rejected = try await Self.post(
                client, "/api/v1/promotions/\(promotion.id.rawValue)/reject", token: "tok-alice",
                body: #"{"reason": "latency regressed"}"#)
            #expect(rejected.json["state"] as? String == "rejected")
        }
    }

    @Test("A rollback needs a release-manager token and an earlier version; it supersedes and pins")
    func rollback() async throws {
        let harness = try await ServerHarness(auth: Self.auth)
        let store = harness.store
        let ledger = harness.ledger
        let pending = try await Self.pendingPromotion(harness)
        let first = try #require(try await store.version(ModelVersion.Number(1), of: "churn"))
        _ = try await ledger.moveEnvironment("production", of: "churn", to: first.number, actor: "alice", reason: "test")
        let run = try await store.startRun(project: "churn", repository: "repo", commit: "c2")
        try await store.finishRun(
            run, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(model: "churn", artifactDigest: Digest.repeating("b")))
        let second = try await store.register(run, branch: "main")
        _ = try await ledger.moveEnvironment("production", of: "churn", to: second.number, actor: "alice", reason: "test")
        try await harness.run { client in
            let uri = "/api/v1/models/churn/rollback"
            let body = #"{"environment": "production", "reason": "latency regressed"}"#
            let viewer = try await Self.post(client, uri, token: "tok-eve", body: body)
            #expect(viewer.status == .forbidden)
            let malformed = try await Self.post(client, uri, token: "tok-alice", body: #"{"environment": "production"}"#)
            #expect(malformed.status == .badRequest)
            let never = try await Self.post(
                client, uri, token: "tok-alice", body: #"{"environment": "production", "reason": "x", "to": 7}"#)
            #expect(never.status == .conflict)
            #expect((never.json["error"] as? String)?.contains("production never held churn v7") == true)
            let rolledBack = try await Self.post(client, uri, token: "tok-alice", body: body)
            #expect(rolledBack.status == .ok)
            #expect(rolledBack.json["version"] as? Int == 1)
            #expect(rolledBack.json["rollbackReason"] as? String == "latency regressed")
        }
        #expect(try await store.promotion(pending.id).state == .superseded)
        let next = try await ledger.requestPromotion(
            of: second, to: EnvironmentPolicy(name: "production", auto: true), requestedBy: "sluice")
        #expect(next.state == .pendingApproval)
        #expect(next.reason?.contains("production is pinned by alice") == true)
    }
}
