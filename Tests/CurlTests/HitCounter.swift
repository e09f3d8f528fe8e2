import Synchronization

/// Counts requests a route has seen, safely from server tasks.
final class HitCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Records a hit and returns the new total (1 for the first hit).
    func hit() -> Int {
        count.add(1, ordering: .relaxed).newValue
    }

    var value: Int {
        count.load(ordering: .relaxed)
    }
}
