import Foundation
import Glibc

/// Opens a file below a folder the server made without following a symlink anywhere on the
/// way: each folder with `openat(O_DIRECTORY | O_NOFOLLOW)` under the one before, the file itself
/// with `O_NOFOLLOW`. A step that replaced any part of the path with a link (to the server's
/// config, to `/proc/self/environ`) gets the open refused, never redirected.
enum ConfinedPath {
    /// A descriptor for `relative` (slash-separated, no `..`) under `root`, opened with `flags`;
    /// the caller closes it.
    static func open(_ relative: String, under root: URL, flags: Int32, mode: mode_t = 0o644) throws(POSIXError) -> Int32 {
        let components = relative.split(separator: "/").map(String.init)
        guard let name = components.last, !components.contains("..") else { throw POSIXError(.EINVAL) }
        var folder = Glibc.open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { throw lastError() }
        for component in components.dropLast() {
            let next = openat(folder, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            close(folder)
            guard next >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO) }
            folder = next
        }
        let descriptor = openat(folder, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
        let code = errno
        close(folder)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO) }
        return descriptor
    }

    private static func lastError() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
}
