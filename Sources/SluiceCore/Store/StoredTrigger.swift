/// A trigger as queued in the store.
public struct StoredTrigger: Sendable, Hashable {
    public let id: Int64
    /// The delivery that produced it.
    public let delivery: Int64
    public let trigger: Trigger
}
