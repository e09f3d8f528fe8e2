import Foundation

/// An exclusive advisory lock on a file (`flock`), held until `release()`.
///
/// Serialises work on a shared directory between processes (`sluice serve` and a `sluice approve`
/// beside it) and between tasks of one process alike, since each acquisition opens the file anew.
/// The kernel drops the lock when the process dies, so a crash never leaves it held.
final class FileLock: Sendable {
    private let descriptor: Int32

    /// Blocks until the lock on `path` is ours; creates the file if needed. Call it off the
    /// cooperative pool.
    static func acquire(_ path: URL) throws(FileLockError) -> FileLock {
        let descriptor = open(path.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileLockError(path: path.path, reason: String(cString: strerror(errno)))
        }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw FileLockError(path: path.path, reason: reason)
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
