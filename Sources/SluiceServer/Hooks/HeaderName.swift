import HTTPTypes

/// The webhook headers Sluice reads, spelled once.
enum HeaderName {
    static let gitHubEvent = HTTPField.Name("X-GitHub-Event")!
    static let gitHubDelivery = HTTPField.Name("X-GitHub-Delivery")!
    static let hubSignature256 = HTTPField.Name("X-Hub-Signature-256")!
    static let gitLabEvent = HTTPField.Name("X-Gitlab-Event")!
    static let gitLabToken = HTTPField.Name("X-Gitlab-Token")!
    static let gitLabEventUUID = HTTPField.Name("X-Gitlab-Event-UUID")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let webhookID = HTTPField.Name("webhook-id")!
    static let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
    static let webhookSignature = HTTPField.Name("webhook-signature")!
    static let sluiceSignature256 = HTTPField.Name("X-Sluice-Signature-256")!
}
