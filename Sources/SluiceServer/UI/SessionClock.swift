import Foundation
import SluiceCore

/// The injected ``WallClock`` as a Swift `Clock`, which hummingbird's `MemoryPersistDriver`
/// expires sessions by: so a sign-in lasts twelve hours of the clock tests drive, not of the
/// machine's.
struct SessionClock: Clock {
    struct Instant: InstantProtocol {
        let date: Date

        func advanced(by duration: Duration) -> Instant {
            Instant(date: date.addingTimeInterval(duration / .seconds(1)))
        }

        func duration(to other: Instant) -> Duration {
            .seconds(other.date.timeIntervalSince(date))
        }

        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.date < rhs.date }
    }

    let clock: any WallClock

    var now: Instant { Instant(date: clock.now) }
    var minimumResolution: Duration { .milliseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await clock.sleep(for: now.duration(to: deadline))
    }
}
