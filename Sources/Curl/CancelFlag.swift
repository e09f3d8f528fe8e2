import Synchronization

/// A one-way flag that task cancellation sets and the transfer thread reads.
///
/// Shared between the cancellation handler (any thread) and libcurl's progress callback (the
/// transfer thread), hence an atomic.
final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func set() {
        flag.store(true, ordering: .releasing)
    }

    var isSet: Bool {
        flag.load(ordering: .acquiring)
    }
}
