import Foundation

/// A blob being written: a uniquely named file in the store's `tmp/`, installed under its name or removed.
///
/// `tmp/` sits beside `sha256/` on the same file system, so the final rename is atomic: a reader
/// sees a whole, synced blob or none, and a crash leaves only a stale temporary file, which
/// ``ArtifactStore/collectGarbage(keeping:dryRun:now:)`` removes. Owns its descriptor; not shared.
final class BlobFile {
    let descriptor: Int32
    let path: String
    private var installed = false

    /// Creates an empty temporary file in `directory`, which must exist.
    init(in directory: String) throws(ArtifactError) {
        let path = directory + "/blob-" + UUID().uuidString
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ArtifactStore.unwritable(directory, "cannot hold a temporary file")
        }
        self.descriptor = descriptor
        self.path = path
    }

    /// Takes over a whole file already written in the store's `tmp/` (a download), to install it.
    init(adopting path: String) throws(ArtifactError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            unlink(path)
            throw ArtifactStore.unwritable(path, "cannot be opened to install")
        }
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        close(descriptor)
        if !installed {
            unlink(path)
        }
    }

    /// Appends all of `bytes`, retrying short and interrupted writes.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ArtifactError) {
        var offset = 0
        while offset < bytes.count {
            let count = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count > 0 {
                offset += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                throw ArtifactStore.unwritable(path, "cannot be written")
            }
        }
    }

    /// Syncs the bytes, makes the file read-only and renames it to `destination`, then syncs
    /// `directory` so the rename itself survives a crash.
    func install(at destination: String, in directory: String) throws(ArtifactError) {
        guard fsync(descriptor) == 0 else {
            throw ArtifactStore.unwritable(path, "cannot be synced")
        }
        guard fchmod(descriptor, 0o444) == 0 else {
            throw ArtifactStore.unwritable(path, "cannot be made read-only")
        }
        guard rename(path, destination) == 0 else {
            throw ArtifactStore.unwritable(destination, "cannot be put in place")
        }
        installed = true
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else {
            throw ArtifactStore.unwritable(directory, "cannot be opened to sync")
        }
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else {
            throw ArtifactStore.unwritable(directory, "cannot be synced")
        }
    }
}
