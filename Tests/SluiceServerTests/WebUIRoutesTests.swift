import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import SluiceCore
import Testing

@Suite("The web UI's sign-in, sessions and CSRF checks on a live server")
struct WebUIRoutesTests {
    static func signIn(_ client: some TestClientProtocol, token: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "token=\(token)"))
    }

    /// The `name=value` part of a response's session cookie.
    static func cookie(_ response: TestResponse) -> String? {
        response.headers[.setCookie]?.split(separator: ";").first.map(String.init)
    }

    static func page(_ client: some TestClientProtocol, _ uri: String, cookie: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    static func csrf(in html: String) -> String? {
        html.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) }
    }

    static func approve(_ client: some TestClientProtocol, _ id: Promotion.ID, cookie: String, csrf: String?) async throws
        -> TestResponse
    {
        try await client.execute(
            uri: "/approvals/\(id.rawValue)/approve", method: .post,
            headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: csrf.map { "csrf=\($0)" } ?? ""))
    }

    @Test("With auth on, every page sends a stranger to sign in; a wrong token gets 401 and no cookie")
    func signInRequired() async throws {
        let harness = try await ServerHarness(auth: PromotionRoutesTests.auth)
        try await harness.run { client in
            for page in ["/runs", "/runs/1", "/models", "/approvals", "/audit"] {
                let response = try await Self.page(client, page, cookie: nil)
                #expect(response.status == .seeOther, "\(page)")
                #expect(response.headers[.location] == "/sign-in")
            }
            let wrong = try await Self.signIn(client, token: "not-a-token")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            #expect(String(buffer: wrong.body).contains("That token is not one of auth.tokens_env"))
        }
    }

    @Test("A sign-in sets an HttpOnly, SameSite=Strict session cookie that opens the pages")
    func sessionCookie() async throws {
        let harness = try await ServerHarness(auth: PromotionRoutesTests.auth)
        try await harness.run { client in
            let response = try await Self.signIn(client, token: "tok-eve")
            #expect(response.status == .seeOther)
            let header = try #require(response.headers[.setCookie])
            #expect(header.contains("HttpOnly"))
            #expect(header.contains("SameSite=Strict"))
            let runs = try await Self.page(client, "/runs", cookie: Self.cookie(response))
            #expect(runs.status == .ok)
            #expect(String(buffer: runs.body).contains("eve (viewer)"))
        }
    }

    @Test("A sign-in lasts twelve hours of the server's clock; a sign-out ends the session on the server, not only in the browser")
    func sessionEnds() async throws {
        let harness = try await ServerHarness(auth: PromotionRoutesTests.auth)
        try await harness.run { client in
            let eve = try #require(Self.cookie(try await Self.signIn(client, token: "tok-eve")))
            harness.clock.advance(by: .seconds(12 * 3600 - 60))
            #expect(try await Self.page(client, "/runs", cookie: eve).status == .ok)
            harness.clock.advance(by: .seconds(120))
            let expired = try await Self.page(client, "/runs", cookie: eve)
            #expect(expired.status == .seeOther)
            #expect(expired.headers[.location] == "/sign-in")

            let alice = try #require(Self.cookie(try await Self.signIn(client, token: "tok-alice")))
            let csrf = try #require(Self.csrf(in: String(buffer: try await Self.page(client, "/runs", cookie: alice).body)))
            let forged = try await client.execute(
                uri: "/sign-out", method: .post, headers: [.cookie: alice, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(String(repeating: "0", count: 64))"))
            #expect(forged.status == .seeOther)
            #expect(try await Self.page(client, "/runs", cookie: alice).status == .ok, "a sign-out without the CSRF token is another site's")
            let signOut = try await client.execute(
                uri: "/sign-out", method: .post, headers: [.cookie: alice, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(csrf)"))
            #expect(signOut.status == .seeOther)
            #expect(signOut.headers[.setCookie]?.contains("sluice_session=") == true)
            // The old cookie, replayed, opens nothing: the session is gone from the server.
            #expect(try await Self.page(client, "/runs", cookie: alice).status == .seeOther)
        }
    }

    @Test("An approval without the session's CSRF token, or from a viewer, is refused and approves nothing")
    func forgedApprovals() async throws {
        let harness = try await ServerHarness(auth: PromotionRoutesTests.auth)
        let promotion = try await PromotionRoutesTests.pendingPromotion(harness)
        try await harness.run { client in
            let alice = try #require(Self.cookie(try await Self.signIn(client, token: "tok-alice")))
            let forged = try await Self.approve(client, promotion.id, cookie: alice, csrf: nil)
            #expect(forged.status == .forbidden)
            #expect(String(buffer: forged.body).contains("CSRF token is missing or stale"))
            let stale = try await Self.approve(client, promotion.id, cookie: alice, csrf: String(repeating: "0", count: 64))
            #expect(stale.status == .forbidden)

            let eve = try #require(Self.cookie(try await Self.signIn(client, token: "tok-eve")))
            let eveCSRF = Self.csrf(in: String(buffer: try await Self.page(client, "/approvals", cookie: eve).body))
            let viewer = try await Self.approve(client, promotion.id, cookie: eve, csrf: eveCSRF)
            #expect(viewer.status == .forbidden)
            #expect(String(buffer: viewer.body).contains("eve has role viewer"))
            #expect(try await harness.store.promotion(promotion.id).approvals.isEmpty)

            let approvals = String(buffer: try await Self.page(client, "/approvals", cookie: alice).body)
            let real = try await Self.approve(client, promotion.id, cookie: alice, csrf: Self.csrf(in: approvals))
            #expect(real.status == .seeOther)
            #expect(try await harness.store.promotion(promotion.id).approvals.map(\.approver) == ["alice"])
        }
    }

    @Test("Static files are served open, with ETag, caching and ranges; nothing outside templates/ui/static is")
    func staticFiles() async throws {
        let harness = try await ServerHarness(auth: PromotionRoutesTests.auth)
        let css = try Data(contentsOf: ServerHarness.templates.appending(path: "ui/static/sluice.css"))
        try await harness.run { client in
            let whole = try await client.execute(uri: "/ui/static/sluice.css", method: .get)
            #expect(whole.status == .ok)
            #expect(Data(buffer: whole.body) == css)
            #expect(whole.headers[.contentType]?.hasPrefix("text/css") == true)
            #expect(whole.headers[.cacheControl] == "max-age=300")
            #expect(whole.headers[.acceptRanges] == "bytes")
            let etag = try #require(whole.headers[.eTag])

            let again = try await client.execute(uri: "/ui/static/sluice.css", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            let part = try await client.execute(uri: "/ui/static/sluice.css", method: .get, headers: [.range: "bytes=0-9"])
            #expect(part.status == .partialContent)
            #expect(Data(buffer: part.body) == css.prefix(10))

            for escape in ["/ui/static/../sign-in.mustache", "/ui/static/%2e%2e/sign-in.mustache", "/ui/static/missing.css"] {
                let response = try await client.execute(uri: escape, method: .get)
                #expect(response.status != .ok, "\(escape)")
                #expect(!String(buffer: response.body).contains("{{"), "\(escape) must not show a template")
            }
        }
    }
}
