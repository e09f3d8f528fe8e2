import Synchronization

/// Holds the lines a step delivered, for the test to read afterwards.
final class Recorder: Sendable {
    private let values = Mutex<[String]>([])

    func record(_ value: String) {
        values.withLock { $0.append(value) }
    }

    var all: [String] {
        values.withLock { $0 }
    }
}
