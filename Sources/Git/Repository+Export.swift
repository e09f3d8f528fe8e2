import CGit2
import Foundation
import Synchronization

extension Repository {
    /// Writes the tree of `commit` into `directory`, which must be empty or absent: files with
    /// their executable bit, symlinks as symlinks, submodules as empty directories. No `.git`.
    ///
    /// Entries named `.`, `..` or `.git`, or containing `/`, are refused (git itself never writes
    /// them), and files are created with `O_EXCL | O_NOFOLLOW`, so nothing lands outside `directory`.
    /// One walk makes the directories and lists the files; then one worker per core, each with its
    /// own repository handle (libgit2 handles are not shared across threads), writes a share of them.
    public func export(_ commit: ObjectID, to directory: URL) throws(GitError) {
        try Self.prepareEmptyDirectory(directory)
        let files = try withHandle { repository throws(GitError) in
            try Self.withTree(of: commit, in: repository) { tree throws(GitError) in
                let walk = TreeWalk(root: directory.path)
                let result = withExtendedLifetime(walk) {
                    git_tree_walk(tree, GIT_TREEWALK_PRE, TreeWalk.visit, Unmanaged.passUnretained(walk).toOpaque())
                }
                if let failure = walk.failure { throw failure }
                try check(result, "git_tree_walk")
                return walk.files
            }
        }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, files.count / 64))
        let failure = Mutex<GitError?>(nil)
        // Contiguous shares, so workers mostly fill different directories and do not contend
        // for the same directory lock.
        let share = (files.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            do throws(GitError) {
                try withHandle { repository throws(GitError) in
                    for index in worker * share..<min(files.count, (worker + 1) * share) {
                        try files[index].write(from: repository)
                        if failure.withLock({ $0 != nil }) { return }
                    }
                }
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    private static func prepareEmptyDirectory(_ directory: URL) throws(GitError) {
        let manager = FileManager.default
        do {
            if manager.fileExists(atPath: directory.path) {
                guard try manager.contentsOfDirectory(atPath: directory.path).isEmpty else {
                    throw GitError(
                        .invalidInput, function: "export", message: "\(directory.path) is not empty")
                }
            } else {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            }
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError(.other, function: "export", message: "cannot prepare \(directory.path): \(error)")
        }
    }
}

/// A file or symlink to write: where, which blob, and with which mode.
private struct ExportedFile: Sendable {
    let path: String
    let blob: ObjectID
    let mode: git_filemode_t

    func write(from repository: OpaquePointer) throws(GitError) {
        var oid = blob.oid
        var handle: OpaquePointer?
        try check(git_blob_lookup(&handle, repository, &oid), "git_blob_lookup")
        defer { git_blob_free(handle) }
        let size = Int(git_blob_rawsize(handle))
        let bytes = git_blob_rawcontent(handle)
        if mode == GIT_FILEMODE_LINK {
            let target = String(decoding: UnsafeRawBufferPointer(start: bytes, count: size), as: UTF8.self)
            guard symlink(target, path) == 0 else { throw exportFailure("symlink", path) }
            return
        }
        let descriptor = open(
            path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
            mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0o755 : 0o644)
        guard descriptor >= 0 else { throw exportFailure("open", path) }
        defer { close(descriptor) }
        var written = 0
        while written < size {
            let result = Foundation.write(descriptor, bytes! + written, size - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw exportFailure("write", path)
            }
            written += result
        }
    }
}

/// State of the tree walk of one `export`, reached by its callback through an `Unmanaged` payload:
/// makes each directory as it is met and lists the files for the writers.
private final class TreeWalk {
    let root: String
    var files: [ExportedFile] = []
    var failure: GitError?

    init(root: String) {
        self.root = root
    }

    static let visit: git_treewalk_cb = { parent, entry, payload in
        let walk = Unmanaged<TreeWalk>.fromOpaque(payload!).takeUnretainedValue()
        do throws(GitError) {
            try walk.visit(entry!, under: String(cString: parent!))
            return 0
        } catch {
            walk.failure = error
            return -1
        }
    }

    private func visit(_ entry: OpaquePointer, under parent: String) throws(GitError) {
        let name = String(cString: git_tree_entry_name(entry))
        guard !name.isEmpty, name != ".", name != "..", name.lowercased() != ".git", !name.contains("/") else {
            throw GitError(.invalidInput, function: "export", message: "refusing tree entry '\(parent)\(name)'")
        }
        let path = root + "/" + parent + name
        let mode = git_tree_entry_filemode(entry)
        switch mode {
        case GIT_FILEMODE_TREE, GIT_FILEMODE_COMMIT:
            guard mkdir(path, 0o755) == 0 else { throw exportFailure("mkdir", path) }
        case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE, GIT_FILEMODE_LINK:
            files.append(ExportedFile(path: path, blob: ObjectID(git_tree_entry_id(entry)), mode: mode))
        default:
            throw GitError(.invalidInput, function: "export", message: "unknown file mode for \(parent)\(name)")
        }
    }
}

private func exportFailure(_ call: String, _ path: String) -> GitError {
    GitError(.other, function: "export", message: "\(call) \(path): \(String(cString: strerror(errno)))")
}
