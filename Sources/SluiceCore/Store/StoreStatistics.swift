import Foundation

/// Counts read from the store for `/metrics`: what waits, what ran, where promotions stand.
///
/// Read at scrape time from the store itself, so the figures are right after a restart and
/// whichever process (server or command line) made the change.
public struct StoreStatistics: Sendable, Hashable {
    /// Runs by state; every state is present, 0 when none.
    public var runs: [Run.State: Int]
    /// Promotions by state; every state is present, 0 when none.
    public var promotions: [Promotion.State: Int]
    /// Triggers queued and not yet claimed.
    public var queuedTriggers: Int
    /// When the oldest of them was queued; nil when none waits.
    public var oldestQueuedAt: Date?
    /// Runs whose gate was evaluated, by verdict (`pass`, `fail`); both present, 0 when none.
    public var gateVerdicts: [String: Int]
}
