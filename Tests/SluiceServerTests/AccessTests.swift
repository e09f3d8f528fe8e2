import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import SluiceServer
import Testing

@testable import SluiceCore

/// Every route the router has, knocked on without a credential and with each too-low one: a
/// route added later without deciding who may call it fails the first test.
@Suite("Auth on every route, from the router's own list")
struct AccessTests {
    static let auth = AuthConfig(
        tokensVariable: "SLUICE_API_TOKENS",
        tokens: [
            APIToken(name: "vera", role: .viewer, token: Secret("tok-viewer-1")),
            APIToken(name: "erin", role: .engineer, token: Secret("tok-engineer-2")),
            APIToken(name: "rita", role: .releaseManager, token: Secret("tok-release-3")),
            APIToken(name: "adam", role: .admin, token: Secret("tok-admin-4")),
        ],
        artifactToken: Secret("tok-artifacts-5"))
    static let metrics = MetricsConfig(token: Secret("tok-metrics-6"))

    /// Who may call each route: nil for the routes open to anyone.
    static let expected: [String: Access] = [
        "GET /healthz": .open, "GET /readyz": .open,
        "POST /hooks/github/{project}": .open, "POST /hooks/gitlab/{project}": .open,
        "POST /hooks/data/{source}": .open, "POST /hooks/alertmanager": .open,
        "GET /sign-in": .open, "POST /sign-in": .open, "POST /sign-out": .open,
        "GET /metrics": .metrics, "GET /api/v1/artifacts/sha256/{hex}": .artifacts,
        "GET /api/v1/deliveries": .api(.viewer), "GET /api/v1/audit": .api(.viewer),
        "GET /api/v1/models/{model}/versions": .api(.viewer),
        "GET /api/v1/models/{model}/environments/{environment}": .api(.viewer),
        "GET /api/v1/runs": .api(.viewer), "GET /api/v1/runs/{id}": .api(.viewer),
        "GET /api/v1/runs/{id}/steps/{step}/log": .api(.viewer), "GET /api/v1/promotions": .api(.viewer),
        "POST /api/v1/projects/{project}/runs": .api(.engineer), "POST /api/v1/runs/{id}/cancel": .api(.engineer),
        "POST /api/v1/runs/{id}/retry": .api(.engineer),
        "POST /api/v1/promotions/{id}/approve": .api(.releaseManager), "POST /api/v1/promotions/{id}/reject": .api(.releaseManager),
        "POST /api/v1/promotions/apply": .api(.releaseManager), "POST /api/v1/models/{model}/rollback": .api(.releaseManager),
        "POST /api/v1/models/{model}/environments/{environment}/pin": .api(.releaseManager),
        "DELETE /api/v1/models/{model}/environments/{environment}/pin": .api(.releaseManager),
        "GET /": .page(.viewer), "GET /runs": .page(.viewer), "GET /runs/{id}": .page(.viewer), "GET /models": .page(.viewer),
        "GET /models/{model}": .page(.viewer), "GET /approvals": .page(.viewer), "GET /audit": .page(.viewer),
        "POST /approvals/{id}/{decision}": .page(.releaseManager),
    ]

    /// `method path` as the router lists them, each path parameter filled with a sample value.
    static func routes(of router: Router<SluiceRequestContext>) -> [(key: String, method: HTTPRequest.Method, uri: String)] {
        router.routes.map { route in
            let path = "\(route.path)"
            let uri = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                segment.hasPrefix("{") ? (segment == "{hex}" ? String(repeating: "a", count: 64) : "1") : String(segment)
            }.joined(separator: "/")
            return ("\(route.method) \(path)", route.method, uri.isEmpty ? "/" : uri)
        }
    }

    static func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: "{}"))
    }

    @Test("The router's routes are exactly the table's, each under the access the table gives")
    func everyRouteIsListed() async throws {
        let harness = try await ServerHarness(auth: Self.auth, metrics: Self.metrics)
        let listed = Self.routes(of: harness.router).map(\.key)
        #expect(Set(listed) == Set(Self.expected.keys), "unlisted: \(Set(listed).subtracting(Self.expected.keys)), gone: \(Set(Self.expected.keys).subtracting(listed))")
        #expect(listed.count == Set(listed).count)
    }

    @Test("With auth on, every route but health, webhooks and sign-in refuses a caller without a credential")
    func noCredentialNoAnswer() async throws {
        let harness = try await ServerHarness(auth: Self.auth, metrics: Self.metrics)
        let routes = Self.routes(of: harness.router)
        try await harness.run { client in
            for route in routes {
                let access = try #require(Self.expected[route.key], "\(route.key) is not in the table")
                for token in [nil, "not-a-token"] {
                    let response = try await Self.send(client, route.method, route.uri, token: token)
                    switch access {
                    case .open:
                        // Not refused for want of a token (a webhook still checks its own signature).
                        #expect(response.headers[.wwwAuthenticate] == nil, "\(route.key)")
                    case .page:
                        #expect(response.status == .seeOther && response.headers[.location] == "/sign-in", "\(route.key): \(response.status)")
                    case .api, .metrics, .artifacts:
                        #expect(response.status == .unauthorized, "\(route.key): \(response.status)")
                        #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="sluice""#, "\(route.key)")
                        #expect((response.json["error"] as? String)?.contains("Authorization: Bearer") == true, "\(route.key)")
                    }
                }
            }
        }
    }

    @Test("Each role is refused on the routes above it, with the role it needs; service tokens open only their route")
    func rolesAreRanked() async throws {
        let harness = try await ServerHarness(auth: Self.auth, metrics: Self.metrics)
        let routes = Self.routes(of: harness.router)
        let tokens: [(APIRole, String)] = [(.viewer, "tok-viewer-1"), (.engineer, "tok-engineer-2"), (.releaseManager, "tok-release-3")]
        try await harness.run { client in
            for route in routes {
                guard case .api(let needed) = Self.expected[route.key] else { continue }
                for (role, token) in tokens where role < needed {
                    let response = try await Self.send(client, route.method, route.uri, token: token)
                    #expect(response.status == .forbidden, "\(route.key) as \(role)")
                    #expect((response.json["error"] as? String)?.contains("this needs \(needed.rawValue) or above") == true, "\(route.key)")
                }
                for token in ["tok-artifacts-5", "tok-metrics-6"] {
                    let response = try await Self.send(client, route.method, route.uri, token: token)
                    #expect(response.status == .unauthorized, "\(route.key) with a service token")
                }
                let admin = try await Self.send(client, route.method, route.uri, token: "tok-admin-4")
                #expect(admin.status != .unauthorized && admin.status != .forbidden, "\(route.key) as admin: \(admin.status)")
            }
            let digest = "/api/v1/artifacts/sha256/" + String(repeating: "a", count: 64)
            #expect(try await Self.send(client, .get, digest, token: "tok-artifacts-5").status == .notFound)
            #expect(try await Self.send(client, .get, digest, token: "tok-metrics-6").status == .unauthorized)
            #expect(try await Self.send(client, .get, "/metrics", token: "tok-metrics-6").status == .ok)
            #expect(try await Self.send(client, .get, "/metrics", token: "tok-viewer-1").status == .ok)
            #expect(try await Self.send(client, .get, "/metrics", token: "tok-artifacts-5").status == .unauthorized)
        }
    }

    @Test("/metrics answers an address on metrics.allow without a token, and nobody else")
    func metricsAllowList() async throws {
        for (allow, status) in [("127.0.0.0/8", HTTPResponse.Status.ok), ("10.0.0.0/8", .unauthorized)] {
            let harness = try await ServerHarness(metrics: MetricsConfig(allow: [try #require(AddressRange(allow))]))
            try await harness.run { client in
                let response = try await Self.send(client, .get, "/metrics", token: nil)
                #expect(response.status == status, "allow \(allow)")
            }
        }
    }

    @Test("A browser session reads the API but cannot decide through it; a decision needs the token itself")
    func sessionsOnlyRead() async throws {
        let harness = try await ServerHarness(auth: Self.auth)
        try await harness.run { client in
            let signIn = try await WebUIRoutesTests.signIn(client, token: "tok-release-3")
            let cookie = try #require(WebUIRoutesTests.cookie(signIn))
            let read = try await client.execute(uri: "/api/v1/promotions", method: .get, headers: [.cookie: cookie])
            #expect(read.status == .ok)
            let decide = try await client.execute(
                uri: "/api/v1/promotions/1/approve", method: .post, headers: [.cookie: cookie], body: ByteBuffer(string: "{}"))
            #expect(decide.status == .forbidden)
            #expect((decide.json["error"] as? String)?.contains("a browser session only reads the API") == true)
        }
    }

    @Test("Without auth, reads are open but no decision can be made over the API")
    func withoutAuthNobodyDecides() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            #expect(try await Self.send(client, .get, "/api/v1/runs", token: nil).status == .ok)
            let decision = try await Self.send(client, .post, "/api/v1/promotions/1/approve", token: nil)
            #expect(decision.status == .forbidden)
            #expect((decision.json["error"] as? String)?.contains("decisions need to know who decides") == true)
        }
    }
}
