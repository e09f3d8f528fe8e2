/// What the store did with a delivery: the answer the sender gets.
public enum DeliveryReceipt: Sendable, Hashable {
    /// Stored with the triggers it queued.
    case accepted(delivery: Int64, triggers: [TriggerSummary])
    /// Stored, queued nothing, and says why.
    case ignored(delivery: Int64, reason: String)
    /// Seen before: recorded as a duplicate of `original`, nothing queued.
    case duplicate(delivery: Int64, original: Int64)
}

/// A stored trigger's id and kind.
public struct TriggerSummary: Sendable, Hashable, Codable {
    public let id: Int64
    public let kind: Trigger.Kind

    public init(id: Int64, kind: Trigger.Kind) {
        self.id = id
        self.kind = kind
    }
}
