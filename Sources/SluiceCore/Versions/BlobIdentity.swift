import Foundation

/// What a blob file looked like when it was verified: inode, size and both timestamps.
///
/// Any write, truncation, `chmod`, `touch` or replacement changes at least one of them (the
/// change time cannot be set back from user space), so an unchanged identity lets a verified blob
/// be served again without hashing it again.
struct BlobIdentity: Sendable, Hashable {
    let inode: UInt64
    let size: Int64
    /// Modification and change times, each as seconds and nanoseconds.
    let times: [Int]

    /// Whole seconds of the modification time, since 1970.
    var modifiedSeconds: Int { times[0] }

    init(_ status: stat) {
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        #if canImport(Darwin)
        let (modified, changed) = (status.st_mtimespec, status.st_ctimespec)
        #else
        let (modified, changed) = (status.st_mtim, status.st_ctim)
        #endif
        times = [modified.tv_sec, modified.tv_nsec, changed.tv_sec, changed.tv_nsec].map { Int($0) }
    }
}
