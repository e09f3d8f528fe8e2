import Crypto
import Foundation
import Testing

@testable import SluiceCore

struct IngressAuthenticationTests {
    static let gitHubSecret = "It's a Secret to Everybody"
    static let gitHubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    @Test("GitHub's published test vector verifies")
    func gitHubVector() {
        #expect(
            WebhookAuthentication.gitHubSignatureIsValid(
                body: Data("Hello, World!".utf8), signatureHeader: Self.gitHubSignature, secret: Self.gitHubSecret))
        #expect(
            WebhookAuthentication.gitHubSignatureIsValid(
                body: Array("Hello, World!".utf8), signatureHeader: Self.gitHubSignature.uppercased()
                    .replacingOccurrences(of: "SHA256=", with: "sha256="), secret: Self.gitHubSecret))
    }

    @Test("Changing one byte of the body invalidates a GitHub signature")
    func gitHubTamperedBody() {
        #expect(
            !WebhookAuthentication.gitHubSignatureIsValid(
                body: Data("Hello, World?".utf8), signatureHeader: Self.gitHubSignature, secret: Self.gitHubSecret))
    }

    @Test("A missing, unprefixed, short or non-hex GitHub signature is invalid", arguments: [
        nil, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "sha256=757107ea",
        "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "sha256=",
    ] as [String?])
    func gitHubBadHeader(_ header: String?) {
        #expect(
            !WebhookAuthentication.gitHubSignatureIsValid(
                body: Data("Hello, World!".utf8), signatureHeader: header, secret: Self.gitHubSecret))
    }

    @Test("An empty secret never verifies a GitHub signature")
    func gitHubEmptySecret() {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("x".utf8), using: SymmetricKey(data: Data()))
        let header = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
        #expect(!WebhookAuthentication.gitHubSignatureIsValid(body: Data("x".utf8), signatureHeader: header, secret: ""))
    }

    @Test("A GitLab token matches only the exact expected token")
    func tokens() {
        #expect(WebhookAuthentication.tokenMatches("s3cret-token", expected: "s3cret-token"))
        #expect(!WebhookAuthentication.tokenMatches("s3cret-tokem", expected: "s3cret-token"))
        #expect(!WebhookAuthentication.tokenMatches("s3cret", expected: "s3cret-token"))
        #expect(!WebhookAuthentication.tokenMatches(nil, expected: "s3cret-token"))
        #expect(!WebhookAuthentication.tokenMatches("", expected: ""))
    }

    @Test("A bearer credential matches with any scheme case and nothing else")
    func bearer() {
        #expect(WebhookAuthentication.bearerMatches(authorization: "Bearer abc123", token: "abc123"))
        #expect(WebhookAuthentication.bearerMatches(authorization: "bearer abc123", token: "abc123"))
        #expect(!WebhookAuthentication.bearerMatches(authorization: "Bearer abc124", token: "abc123"))
        #expect(!WebhookAuthentication.bearerMatches(authorization: "Basic abc123", token: "abc123"))
        #expect(!WebhookAuthentication.bearerMatches(authorization: "abc123", token: "abc123"))
        #expect(!WebhookAuthentication.bearerMatches(authorization: nil, token: "abc123"))
    }

    // MARK: Standard Webhooks (GitLab signing token)

    static let keyBytes = Data((0..<32).map { UInt8($0 &* 7 &+ 3) })
    static let secret = "whsec_" + keyBytes.base64EncodedString()
    static let body = Data(#"{"object_kind":"push","ref":"refs/heads/main"}"#.utf8)
    static let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
    static let now = Date(timeIntervalSince1970: 1_764_000_000)

    static func sign(_ body: Data, id: String, timestamp: String) -> String {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: keyBytes))
        return "v1," + Data(mac).base64EncodedString()
    }

    static func verify(
        body: Data = body, timestamp: String = "1764000000", signature: String?, secret: String = secret
    ) throws(HookError) {
        try WebhookAuthentication.verifyStandardWebhook(
            body: body, id: id, timestamp: timestamp, signature: signature, secret: secret, now: now)
    }

    @Test("A Standard Webhooks signature computed here verifies, also beside an unknown one")
    func standardWebhookValid() throws {
        let signature = Self.sign(Self.body, id: Self.id, timestamp: "1764000000")
        try Self.verify(signature: signature)
        try Self.verify(signature: "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1a,xyz " + signature)
        // Two minutes of clock skew either way is fine.
        try Self.verify(timestamp: "1764000120", signature: Self.sign(Self.body, id: Self.id, timestamp: "1764000120"))
        try Self.verify(timestamp: "1763999880", signature: Self.sign(Self.body, id: Self.id, timestamp: "1763999880"))
    }

    @Test("A Standard Webhooks timestamp six minutes off is refused", arguments: ["1763999640", "1764000360"])
    func standardWebhookStale(_ timestamp: String) {
        let signature = Self.sign(Self.body, id: Self.id, timestamp: timestamp)
        let error = #expect(throws: HookError.self) { try Self.verify(timestamp: timestamp, signature: signature) }
        #expect(error?.code == .unauthorized)
        #expect(error?.detail == "webhook-timestamp")
    }

    @Test("A tampered body is refused without echoing the secret or signature")
    func standardWebhookTampered() {
        let signature = Self.sign(Self.body, id: Self.id, timestamp: "1764000000")
        var tampered = Self.body
        tampered[tampered.startIndex + 3] ^= 0x01
        let error = #expect(throws: HookError.self) { try Self.verify(body: tampered, signature: signature) }
        #expect(error?.code == .unauthorized)
        #expect(error?.detail == "webhook-signature")
        #expect(error.map { !$0.message.contains(signature.dropFirst(3)) && !$0.message.contains(Self.secret) } == true)
    }

    @Test("A signature made with another secret is refused")
    func standardWebhookWrongSecret() {
        let signature = Self.sign(Self.body, id: Self.id, timestamp: "1764000000")
        let other = "whsec_" + Data(repeating: 9, count: 32).base64EncodedString()
        #expect(throws: HookError.self) { try Self.verify(signature: signature, secret: other) }
    }

    @Test("Missing Standard Webhooks headers are refused, naming the header")
    func standardWebhookMissingHeaders() {
        let signature = Self.sign(Self.body, id: Self.id, timestamp: "1764000000")
        var error = #expect(throws: HookError.self) { try Self.verify(signature: nil) }
        #expect(error?.detail == "webhook-signature")
        error = #expect(throws: HookError.self) { try Self.verify(timestamp: "soon", signature: signature) }
        #expect(error?.detail == "webhook-timestamp")
        error = #expect(throws: HookError.self) {
            try WebhookAuthentication.verifyStandardWebhook(
                body: Self.body, id: nil, timestamp: "1764000000", signature: signature, secret: Self.secret,
                now: Self.now)
        }
        #expect(error?.code == .unauthorized)
        #expect(error?.detail == "webhook-id")
    }
}
