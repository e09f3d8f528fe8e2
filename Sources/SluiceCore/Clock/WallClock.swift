import Foundation

/// Where every part of Sluice reads "now" and waits: the store's timestamps, leases, retries,
/// backoff, polling and session expiry.
///
/// The composition root hands one clock to every component, so tests drive time with a manual
/// clock instead of sleeping, and nothing reads the system's time behind their back.
public protocol WallClock: Sendable {
    /// The current wall-clock time, as the store and the audit log record it.
    var now: Date { get }
    /// Waits `duration` of this clock's time; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

extension WallClock {
    /// Waits `duration`, or less when the task is cancelled: for polling loops that check
    /// cancellation themselves.
    func pause(for duration: Duration) async {
        try? await sleep(for: duration)
    }
}
