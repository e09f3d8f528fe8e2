import Crypto
import Foundation

/// The canonical text a directory artifact's digest is taken of.
///
/// One line per file or symlink, sorted by relative path byte by byte:
/// `644 <sha256 hex> model/weights.bin` for a file (`755` when the owner may execute it) and
/// `120000 <sha256 hex of the link text> model/latest` for a symlink, which is recorded, not
/// followed, and must resolve inside the root. Directories are implied by the paths below them,
/// so an empty directory adds nothing, as in git. The walk goes through directory descriptors
/// and never follows a link, so a symlink swapped in mid-walk cannot lead it outside the root.
struct ArtifactManifest {
    private struct Entry {
        let path: [UInt8]
        let line: [UInt8]
    }

    private let root: [UInt8]
    private let shown: String
    private let buffer: UnsafeMutableRawBufferPointer
    private let store: ArtifactStore?
    private var entries: [Entry] = []

    /// `root` is the canonical output directory; `shown` the artifact path as messages name it;
    /// `buffer` the read buffer for hashing files, owned by the caller; `store`, when given,
    /// receives every file and symlink text as a blob while it is hashed.
    init(root: [UInt8], shownAs shown: String, buffer: UnsafeMutableRawBufferPointer, store: ArtifactStore? = nil) {
        self.root = root
        self.shown = shown
        self.buffer = buffer
        self.store = store
    }

    /// The manifest so far, sorted.
    var text: [UInt8] {
        entries.sorted { $0.path.lexicographicallyPrecedes($1.path) }.flatMap(\.line)
    }

    /// Adds every file and symlink below the open directory `descriptor`, whose canonical path is
    /// `absolute` and whose path inside the artifact is `relative` (empty for the artifact itself).
    /// Closes nothing: the caller keeps ownership of `descriptor`.
    mutating func add(directory descriptor: Int32, at absolute: [UInt8], relative: [UInt8]) throws(ArtifactError) {
        for name in try names(in: descriptor, relative: relative) {
            let path = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
            let shownPath = display(path)
            guard !name.contains(0x0A) else {
                throw ArtifactError(
                    .unsupportedName, shownPath,
                    "\(shownPath) has a line break in its name, which the artifact manifest cannot hold; "
                        + "rename it")
            }
            let cName = ArtifactDigest.cString(name)
            var status = stat()
            guard fstatat(descriptor, cName, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw ArtifactDigest.unreadable(shownPath, "cannot be examined")
            }
            let childAbsolute = absolute + [UInt8(ascii: "/")] + name
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                try addFile(named: cName, in: descriptor, path: path, shownAs: shownPath)
            case S_IFDIR:
                let child = openat(descriptor, cName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else {
                    throw ArtifactDigest.unreadable(shownPath, "cannot be opened")
                }
                defer { close(child) }
                try add(directory: child, at: childAbsolute, relative: path)
            case S_IFLNK:
                try addSymlink(named: cName, in: descriptor, absolute: childAbsolute, path: path, shownAs: shownPath)
            default:
                throw ArtifactError(
                    .specialFile, shownPath,
                    "\(shownPath) is a FIFO, socket or device, which an artifact cannot hold; remove it")
            }
        }
    }

    private mutating func addFile(
        named name: [CChar], in directory: Int32, path: [UInt8], shownAs shownPath: String
    ) throws(ArtifactError) {
        let file = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard file >= 0 else {
            throw ArtifactDigest.unreadable(shownPath, "cannot be opened")
        }
        defer { close(file) }
        var status = stat()
        guard fstat(file, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw ArtifactDigest.unreadable(shownPath, "changed while it was being hashed")
        }
        let digest =
            if let store {
                try store.ingest(file, shownAs: shownPath, buffer: buffer)
            } else {
                try ArtifactDigest.sha256(of: file, path: shownPath, buffer: buffer)
            }
        let mode = status.st_mode & S_IXUSR != 0 ? "755" : "644"
        append(mode: mode, digest: Hex.encode(digest), path: path)
    }

    private mutating func addSymlink(
        named name: [CChar], in directory: Int32, absolute: [UInt8], path: [UInt8], shownAs shownPath: String
    ) throws(ArtifactError) {
        var target = [UInt8](repeating: 0, count: Int(PATH_MAX))
        let count = readlinkat(directory, name, &target, target.count)
        guard count >= 0 else {
            throw ArtifactDigest.unreadable(shownPath, "cannot be read")
        }
        target.removeSubrange(count...)
        let shownTarget = String(decoding: target, as: UTF8.self)
        guard let resolved = try ArtifactDigest.realPath(absolute, shownAs: shownPath) else {
            throw ArtifactError(
                .brokenSymlink, shownPath,
                "\(shownPath) is a symlink to '\(shownTarget)', which does not exist or loops")
        }
        guard ArtifactDigest.isInside(resolved, root) else {
            throw ArtifactError(
                .outsideRoot, shownPath,
                "\(shownPath) is a symlink to '\(shownTarget)', outside the output directory; "
                    + "copy the file into the artifact instead")
        }
        let digest = SHA256.hash(data: target)
        try store?.ingest(target, digest: digest)
        append(mode: "120000", digest: Hex.encode(digest), path: path)
    }

    private mutating func append(mode: String, digest: String, path: [UInt8]) {
        let line = Array("\(mode) \(digest) ".utf8) + path + [0x0A]
        entries.append(Entry(path: path, line: line))
    }

    /// The entry names of an open directory, without `.` and `..`, in no particular order.
    private func names(in descriptor: Int32, relative: [UInt8]) throws(ArtifactError) -> [[UInt8]] {
        // `fdopendir` takes over the descriptor it is given, so it gets a duplicate.
        let shownPath = relative.isEmpty ? shown : display(relative)
        let duplicate = dup(descriptor)
        guard duplicate >= 0, let stream = fdopendir(duplicate) else {
            if duplicate >= 0 {
                close(duplicate)
            }
            throw ArtifactDigest.unreadable(shownPath, "cannot be listed")
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 {
                    throw ArtifactDigest.unreadable(shownPath, "cannot be listed")
                }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [UInt8(ascii: ".")] && name != [UInt8(ascii: "."), UInt8(ascii: ".")] {
                names.append(name)
            }
        }
    }

    /// An entry's path as messages show it: the artifact path, then the path inside it.
    private func display(_ path: [UInt8]) -> String {
        shown + "/" + String(decoding: path, as: UTF8.self)
    }
}
