import Crypto
import Foundation

/// The content address of a model artifact: `sha256:` and 64 lower-case hex digits.
///
/// A file's address is the SHA-256 of its bytes, so it matches `sha256sum`. A directory's is the
/// SHA-256 of its ``ArtifactManifest``: one line per file or symlink, sorted, naming mode, content
/// hash and path, so the address depends on names, contents and executable bits but not on the
/// order files were written, timestamps or owners. An empty directory hashes the empty manifest.
///
/// Only bytes from inside `root` (the run's `$SLUICE_OUTPUT`) can be addressed: the artifact path
/// must resolve inside it, every symlink in a directory must point inside it, and FIFOs, sockets
/// and devices are refused. Blocks on file I/O for as long as hashing takes; call it on a thread
/// pool.
public enum ArtifactDigest {
    /// Bytes per read: large reads keep system calls rare, so hashing runs at SHA-256's speed.
    static let chunkSize = 4 << 20

    /// The digest of the file or directory at `url`, which must lie inside `root`.
    public static func digest(of url: URL, within root: URL) throws(ArtifactError) -> Digest {
        try digest(of: url, within: root, storingIn: nil)
    }

    /// The digest of the artifact at `url`; with a `store`, every file, symlink text and the
    /// manifest also go into it as blobs, copied in the same pass that hashes them.
    static func digest(of url: URL, within root: URL, storingIn store: ArtifactStore?) throws(ArtifactError) -> Digest {
        let rootPath = plainPath(root)
        let path = plainPath(url)
        guard let realRoot = try realPath(Array(rootPath.utf8), shownAs: rootPath) else {
            throw ArtifactError(.missing, rootPath, "the output directory \(rootPath) does not exist")
        }
        var status = stat()
        guard lstat(path, &status) == 0 else {
            throw ArtifactError(
                .missing, path, "there is no artifact at \(path); the train step must write it there")
        }
        guard let realArtifact = try realPath(Array(path.utf8), shownAs: path) else {
            throw ArtifactError(
                .brokenSymlink, path,
                "the artifact \(path) is a symlink to a path that does not exist or loops")
        }
        guard isInside(realArtifact, realRoot) else {
            let resolved = String(decoding: realArtifact, as: UTF8.self)
            throw ArtifactError(
                .outsideRoot, path,
                "the artifact \(path) resolves to \(resolved), outside the output directory \(rootPath)")
        }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        let descriptor = open(cString(realArtifact), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw unreadable(path, "cannot be opened")
        }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0 else {
            throw unreadable(path, "cannot be examined")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            if let store {
                return Digest(try store.ingest(descriptor, shownAs: path, buffer: buffer))
            }
            return Digest(try sha256(of: descriptor, path: path, buffer: buffer))
        case S_IFDIR:
            var manifest = ArtifactManifest(root: realRoot, shownAs: path, buffer: buffer, store: store)
            try manifest.add(directory: descriptor, at: realArtifact, relative: [])
            let text = manifest.text
            let digest = SHA256.hash(data: text)
            try store?.ingest(text, digest: digest)
            return Digest(digest)
        default:
            throw ArtifactError(
                .specialFile, path,
                "the artifact \(path) is not a regular file or directory; write the model as files")
        }
    }

    /// A file URL's path without the trailing `/` a directory URL carries, for messages.
    private static func plainPath(_ url: URL) -> String {
        var path = url.path(percentEncoded: false)
        while path.count > 1 && path.hasSuffix("/") {
            path.removeLast()
        }
        return path
    }

    /// The digest of one file's bytes (a data input's, or a stored blob's when it is checked).
    public static func sha256(ofFile url: URL) throws(ArtifactError) -> Digest {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(url.path, "cannot be opened") }
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        return Digest(try sha256(of: descriptor, path: url.path, buffer: buffer))
    }

    /// The SHA-256 of everything left to read from `descriptor`, also written to `copy` when one
    /// is given, so a stored blob holds exactly the bytes its name was computed from.
    static func sha256(
        of descriptor: Int32, path: String, buffer: UnsafeMutableRawBufferPointer, copyingTo copy: BlobFile? = nil
    ) throws(ArtifactError) -> SHA256.Digest {
        var hasher = SHA256()
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count > 0 {
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
                hasher.update(bufferPointer: chunk)
                try copy?.write(chunk)
            } else if count == 0 {
                return hasher.finalize()
            } else if errno != EINTR {
                throw unreadable(path, "cannot be read")
            }
        }
    }

    /// The canonical, symlink-free form of `path`; nil when it, or a symlink on the way, is
    /// missing or loops.
    static func realPath(_ path: [UInt8], shownAs shown: String) throws(ArtifactError) -> [UInt8]? {
        guard let resolved = realpath(cString(path), nil) else {
            let code = errno
            if code == ENOENT || code == ELOOP || code == ENOTDIR {
                return nil
            }
            throw unreadable(shown, "cannot be resolved", errno: code)
        }
        defer { free(resolved) }
        return Array(UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)))
    }

    /// Whether `path` is `root` or below it; both canonical, compared byte by byte.
    static func isInside(_ path: [UInt8], _ root: [UInt8]) -> Bool {
        root == [UInt8(ascii: "/")] || path == root || path.starts(with: root + [UInt8(ascii: "/")])
    }

    /// An `unreadable` error with the system's reason; call it right after the failing call.
    static func unreadable(_ path: String, _ what: String, errno code: Int32 = errno) -> ArtifactError {
        let reason = String(cString: strerror(code))
        return ArtifactError(.unreadable, path, "\(path) \(what): \(reason)")
    }

    /// `bytes` with a terminating NUL, for a system call.
    static func cString(_ bytes: [UInt8]) -> [CChar] {
        bytes.map { CChar(bitPattern: $0) } + [0]
    }
}
