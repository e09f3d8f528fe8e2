import Foundation
import Testing

@testable import Curl

@Suite("Redaction of secrets")
struct RedactionTests {
    @Test("Credentials headers are secret even when not marked, others only when marked")
    func secretHeaders() {
        for name in ["Authorization", "proxy-authorization", "PRIVATE-TOKEN", "Cookie", "Set-Cookie"] {
            #expect(HTTPHeader(name, "v").isSecret)
        }
        #expect(!HTTPHeader("Accept", "v").isSecret)
        #expect(HTTPHeader.secret("X-Api-Key", "v").isSecret)
    }

    @Test("A secret header describes, reflects and dumps as redacted")
    func headerDescription() {
        let header = HTTPHeader.secret("X-Api-Key", "abc123")
        #expect(String(describing: header) == "X-Api-Key: <redacted>")
        #expect(!String(reflecting: header).contains("abc123"))
        var dumped = ""
        dump(header, to: &dumped)
        #expect(!dumped.contains("abc123"))
        #expect(String(describing: HTTPHeader("Accept", "text/plain")) == "Accept: text/plain")
    }

    @Test("Userinfo is stripped from URLs shown in logs")
    func displayURL() {
        #expect(Redaction.displayURL("https://user:pw@example.com/a?b=c") == "https://example.com/a?b=c")
        #expect(Redaction.displayURL("https://token@example.com") == "https://example.com")
        #expect(Redaction.displayURL("https://example.com/a@b") == "https://example.com/a@b")
        #expect(Redaction.displayURL("not a url") == "not a url")
    }

    @Test("A request knows its secrets: secret header values and the URL password")
    func requestSecrets() {
        let request = HTTPRequest(
            url: "https://bot:p%40ss@example.com/x",
            headers: [.secret("X-Key", "k1"), HTTPHeader("Cookie", "c=1"), HTTPHeader("Accept", "a")])
        #expect(Set(request.secrets) == ["k1", "c=1", "p%40ss", "p@ss"])
        #expect(Redaction.redact("failed for k1 with p@ss", secrets: request.secrets) == "failed for <redacted> with <redacted>")
        #expect(!request.description.contains("p%40ss"))
    }
}
