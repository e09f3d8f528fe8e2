import Foundation

/// What a promotion decision reads about one model in one environment. The store reads it in
/// the transaction that writes the decision, so the rules decide on what is there at that moment.
public struct EnvironmentState: Sendable, Hashable {
    public var model: String
    public var environment: String
    /// Its promotions that can still change (waiting for approval or approved), oldest first.
    public var open: [Promotion] = []
    /// Why promotions into it wait, while it is pinned.
    public var pin: EnvironmentPin? = nil
    /// The versions it moved to, in order (one held twice appears twice); emptyings are left out.
    public var held: [ModelVersion.Number] = []
    /// The version it holds now; nil when it holds none.
    public var current: ModelVersion.Number? = nil
}

/// A freeze on promotion into one environment, set by a release manager or by a rollback.
public struct EnvironmentPin: Sendable, Hashable {
    public var by: String
    public var reason: String

    /// What a promotion that waits because of the pin says.
    func waitingReason(in environment: String) -> String {
        "waiting: \(environment) is pinned by \(by) (\(reason))"
    }
}
