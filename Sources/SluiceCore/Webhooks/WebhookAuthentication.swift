import Crypto
import Foundation

/// Checks the credential a webhook sender presents, before its body is parsed.
///
/// Every comparison takes time independent of where the presented value first differs from the
/// expected one: MACs are compared with swift-crypto's constant-time check, and plain tokens are
/// hashed first and their digests compared whole, so not even the token's length leaks. Nothing
/// here logs or returns a secret or a presented signature.
public enum WebhookAuthentication {
    /// Whether `signatureHeader` is `sha256=<hex HMAC-SHA256(secret, body)>`: GitHub's
    /// `X-Hub-Signature-256`, and Sluice's own `X-Sluice-Signature-256` for data sources with an
    /// HMAC secret.
    ///
    /// `body` must be the raw bytes as received: a re-serialised body never matches.
    /// A missing header, an empty secret or a header that is not 64 hex digits is invalid.
    public static func gitHubSignatureIsValid(
        body: some DataProtocol, signatureHeader: String?, secret: String
    ) -> Bool {
        guard !secret.isEmpty, let header = signatureHeader?.trimmingSpaces,
            header.hasPrefix("sha256="),
            let presented = Hex.decode(header.dropFirst("sha256=".count)),
            presented.count == SHA256.byteCount
        else { return false }
        let key = SymmetricKey(data: Data(secret.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(presented, authenticating: body, using: key)
    }

    /// Whether a plain shared token (GitLab's `X-Gitlab-Token`) equals the expected one.
    ///
    /// An empty expected token never matches, so a missing secret in the config cannot open the door.
    public static func tokenMatches(_ presented: String?, expected: String) -> Bool {
        guard let presented, !expected.isEmpty else { return false }
        return digestsEqual(SHA256.hash(data: Data(presented.utf8)), SHA256.hash(data: Data(expected.utf8)))
    }

    /// Whether an `Authorization` header is `Bearer <token>` (scheme case-insensitive) with the
    /// expected token: Alertmanager's `http_config.authorization`, MinIO's `auth_token`, data sources.
    public static func bearerMatches(authorization: String?, token: String) -> Bool {
        guard let authorization = authorization?.trimmingSpaces,
            authorization.count > 7, authorization.prefix(7).lowercased() == "bearer "
        else { return false }
        let presented = String(authorization.dropFirst(7).trimmingSpaces)
        return tokenMatches(presented, expected: token)
    }

    /// Verifies a Standard Webhooks signature, the scheme GitLab's signing token uses: the
    /// `webhook-signature` header holds space-separated `v1,<base64 HMAC-SHA256>` entries over
    /// `"{webhook-id}.{webhook-timestamp}.{body}"`, keyed by the base64 part of `whsec_<base64>`.
    ///
    /// Any `v1` entry may match (senders list several while rotating secrets). A timestamp further
    /// than `tolerance` from `now`, either way, is refused, which bounds replays. Every failure is
    /// `.unauthorized` naming the header at fault, never the values.
    public static func verifyStandardWebhook(
        body: some DataProtocol, id: String?, timestamp: String?, signature: String?, secret: String,
        now: Date, tolerance: TimeInterval = 300
    ) throws(HookError) {
        guard let id, !id.isEmpty else {
            throw HookError(.unauthorized, "webhook-id", "missing webhook-id header")
        }
        guard let timestamp, let seconds = Int64(timestamp.trimmingSpaces) else {
            throw HookError(
                .unauthorized, "webhook-timestamp",
                "webhook-timestamp header must be Unix seconds")
        }
        guard abs(now.timeIntervalSince1970 - TimeInterval(seconds)) <= tolerance else {
            throw HookError(
                .unauthorized, "webhook-timestamp",
                "webhook-timestamp is more than \(Int(tolerance)) seconds from the server's clock")
        }
        guard let signature, !signature.isEmpty else {
            throw HookError(.unauthorized, "webhook-signature", "missing webhook-signature header")
        }
        let encodedKey = secret.hasPrefix("whsec_") ? String(secret.dropFirst("whsec_".count)) : secret
        guard let keyBytes = Data(base64Encoded: encodedKey), !keyBytes.isEmpty else {
            throw HookError(
                .unauthorized, "webhook-signature",
                "the configured signing secret is not a whsec_<base64> key")
        }
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(contentsOf: body)
        let key = SymmetricKey(data: keyBytes)
        var matched = false
        for entry in signature.split(separator: " ", omittingEmptySubsequences: true) {
            guard entry.hasPrefix("v1,"), let mac = Data(base64Encoded: String(entry.dropFirst(3))),
                mac.count == SHA256.byteCount
            else { continue }
            // No early exit: every entry is checked, so timing says nothing about which one matched.
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: key) {
                matched = true
            }
        }
        guard matched else {
            throw HookError(.unauthorized, "webhook-signature", "webhook-signature does not match")
        }
    }

    /// Compares two digests of equal length without an early exit.
    private static func digestsEqual(_ lhs: SHA256.Digest, _ rhs: SHA256.Digest) -> Bool {
        let left = Array(lhs), right = Array(rhs)
        var difference: UInt8 = 0
        for index in 0..<SHA256.byteCount {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs, the whitespace HTTP allows around a header
    /// value. Foundation's `trimmingCharacters` goes through NSString on Linux, which cost as much
    /// as the HMAC itself on the ingest path.
    fileprivate var trimmingSpaces: SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
