import Foundation

/// An exclusive advisory lock on a file (`flock`), held until `release()`.
///
/// Serialises work on a shared directory between processes (`sluice serve` and a `sluice approve`
/// beside it) and between tasks of one process alike, since each acquisition opens the file anew.
/// The kernel drops the lock when the process dies, so a crash never leaves it held.
final class FileLock: Sendable {
    private let descriptor: Int32

    /// How long a waiter rests between tries while another holds the lock.
    static let retryInterval: Duration = .milliseconds(20)

    /// Waits until the lock on `path` is ours; creates the file if needed.
    ///
    /// It tries without blocking and waits on `clock` between tries, so a lock held for long (an
    /// environment that takes minutes to build) holds no thread of the bounded blocking pool,
    /// which the holder itself may need to finish.
    static func acquire(_ path: URL, clock: any WallClock) async throws -> FileLock {
        let descriptor = open(path.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileLockError(path: path.path, reason: String(cString: strerror(errno)))
        }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(descriptor)
                throw FileLockError(path: path.path, reason: String(cString: strerror(code)))
            }
            do {
                try await clock.sleep(for: retryInterval)
            } catch {
                close(descriptor)
                throw error
            }
        }
        return FileLock(descriptor: descriptor)
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Gives the lock up; closing the descriptor releases it.
    func release() {
        close(descriptor)
    }
}

/// The lock file could not be opened or locked.
struct FileLockError: Error, Sendable, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot lock \(path): \(reason)" }
}
