import Curl
import Foundation

/// Webhook deliveries as GitHub sends them, for the demo, benchmarks and end-to-end tests that
/// play GitHub against a running `sluice serve`.
public enum GitHubDelivery {
    /// `POST url` with `body`, GitHub's event and delivery headers and its `X-Hub-Signature-256`.
    public static func request(
        to url: String, event: String, body: Data, secret: String, id: String = UUID().uuidString
    ) -> HTTPRequest {
        HTTPRequest(
            method: .post, url: url,
            headers: [
                HTTPHeader("X-GitHub-Event", event), HTTPHeader("X-GitHub-Delivery", id),
                HTTPHeader("X-Hub-Signature-256", WebhookSigner.gitHubSignature(body, secret: secret)),
                HTTPHeader("Content-Type", "application/json"),
            ],
            body: body)
    }

    /// A `push` body moving `ref` from `before` to `after` (forty zeros: the branch is created).
    public static func push(
        before: String, after: String, ref: String = "refs/heads/main", repository: String = "acme/churn",
        pusher: String = "dana"
    ) -> Data {
        let created = before == String(repeating: "0", count: 40)
        return Data(
            """
            {"ref": "\(ref)", "before": "\(before)", "after": "\(after)", "created": \(created), "deleted": false,
             "forced": false, "pusher": {"name": "\(pusher)"}, "repository": {"full_name": "\(repository)"}}
            """.utf8)
    }
}
