import Foundation

/// A stored delivery, as `GET /api/v1/deliveries` and `sluice deliveries` show it.
public struct DeliveryRecord: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Codable {
        case accepted
        case ignored
        case duplicate
    }

    public let id: Int64
    /// `github`, `gitlab`, `data:<source>` or `alertmanager`.
    public let source: String
    public let project: String?
    public let event: String
    public let receivedAt: Date
    public let outcome: Outcome
    /// Why it was ignored.
    public let reason: String?
    /// The delivery this one repeats.
    public let duplicateOf: Int64?
    public let triggers: [TriggerSummary]
}
