/// The store could not do what was asked: the disk is full, the file is locked or corrupt.
/// Retryable from the caller's point of view; the server answers 503 so senders try again.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let reason: String
    /// Set when the write was refused because this trigger's claim no longer holds: not a
    /// failure to retry, but a sign that another replica carries the trigger on.
    public let lostClaim: TriggerClaim?

    init(operation: String, underlying: any Error) {
        self.operation = operation
        self.reason = String(describing: underlying)
        lostClaim = (underlying as? LostClaim)?.claim
    }

    public var description: String { "could not \(operation): \(reason)" }
}
