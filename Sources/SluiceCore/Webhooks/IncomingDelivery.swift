/// One received webhook, verified and understood, ready to be stored before it is answered.
public struct IncomingDelivery: Sendable, Hashable {
    /// What it means to Sluice.
    public enum Verdict: Sendable, Hashable {
        /// Work to queue. Each trigger carries its own dedupe key; a delivery whose every trigger
        /// was seen before is a duplicate.
        case accepted([KeyedTrigger])
        /// Understood but not for Sluice (a ping, an unwatched branch, a resolved alert); recorded.
        case ignored(reason: String)
    }

    /// `github`, `gitlab`, `data:<source>` or `alertmanager`.
    public var source: String
    public var project: String?
    /// The sender's event name (`push`, `Merge Request Hook`, `ObjectCreated:Put`, `alert`).
    public var event: String
    /// The sender's id for the delivery, namespaced (`github:<GUID>`, `gitlab:<Idempotency-Key>`);
    /// nil when the sender has none (data sources and Alertmanager dedupe per trigger instead).
    public var deliveryKey: String?
    public var verdict: Verdict

    public init(source: String, project: String?, event: String, deliveryKey: String?, verdict: Verdict) {
        self.source = source
        self.project = project
        self.event = event
        self.deliveryKey = deliveryKey
        self.verdict = verdict
    }
}

/// A trigger with the key that makes it unique across deliveries: a forge's delivery id, a data
/// object's version identity, or an alert's group key + fingerprint + start.
public struct KeyedTrigger: Sendable, Hashable {
    public var trigger: Trigger
    public var dedupeKey: String

    public init(_ trigger: Trigger, dedupeKey: String) {
        self.trigger = trigger
        self.dedupeKey = dedupeKey
    }
}
