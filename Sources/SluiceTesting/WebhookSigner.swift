import Crypto
import Foundation

/// Signs webhook bodies the way senders do, for tests and benchmarks that play GitHub or GitLab.
public enum WebhookSigner {
    /// `sha256=<hex HMAC-SHA256(secret, body)>`, GitHub's `X-Hub-Signature-256` (and Sluice's
    /// `X-Sluice-Signature-256` for data sources).
    public static func gitHubSignature(_ body: Data, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// GitLab's signing-token headers (the Standard Webhooks scheme) for `body`, signed with a
    /// `whsec_<base64>` secret: `webhook-id`, `webhook-timestamp` and `webhook-signature`.
    public static func standardWebhookHeaders(_ body: Data, id: String, timestamp: Date, secret: String)
        -> [(String, String)]
    {
        let seconds = String(Int(timestamp.timeIntervalSince1970))
        let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) ?? Data()
        var signed = Data("\(id).\(seconds).".utf8)
        signed.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))
        return [("webhook-id", id), ("webhook-timestamp", seconds), ("webhook-signature", "v1,\(Data(code).base64EncodedString())")]
    }
}
