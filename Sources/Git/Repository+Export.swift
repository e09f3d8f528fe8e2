import CGit2
import Foundation

extension Repository {
    /// Writes the tree of `commit` into `directory`, which must be empty or absent: files with
    /// their executable bit, symlinks as symlinks, submodules as empty directories. No `.git`.
    ///
    /// Entries named `.`, `..` or `.git`, or containing `/`, are refused (git itself never writes
    /// them), and files are created with `O_EXCL | O_NOFOLLOW`, so nothing lands outside `directory`.
    public func export(_ commit: ObjectID, to directory: URL) throws(GitError) {
        try Self.prepareEmptyDirectory(directory)
        try withHandle { repository throws(GitError) in
            try Self.withTree(of: commit, in: repository) { tree throws(GitError) in
                let export = TreeExport(repository: repository, root: directory.path)
                let result = withExtendedLifetime(export) {
                    git_tree_walk(tree, GIT_TREEWALK_PRE, TreeExport.visit, Unmanaged.passUnretained(export).toOpaque())
                }
                if let failure = export.failure { throw failure }
                try check(result, "git_tree_walk")
            }
        }
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

/// State of one `export`, reached by the tree-walk callback through an `Unmanaged` payload.
private final class TreeExport {
    let repository: OpaquePointer
    let root: String
    var failure: GitError?

    init(repository: OpaquePointer, root: String) {
        self.repository = repository
        self.root = root
    }

    static let visit: git_treewalk_cb = { parent, entry, payload in
        let export = Unmanaged<TreeExport>.fromOpaque(payload!).takeUnretainedValue()
        do throws(GitError) {
            try export.write(entry!, under: String(cString: parent!))
            return 0
        } catch {
            export.failure = error
            return -1
        }
    }

    private func write(_ entry: OpaquePointer, under parent: String) throws(GitError) {
        let name = String(cString: git_tree_entry_name(entry))
        guard !name.isEmpty, name != ".", name != "..", name.lowercased() != ".git", !name.contains("/") else {
            throw GitError(.invalidInput, function: "export", message: "refusing tree entry '\(parent)\(name)'")
        }
        let path = root + "/" + parent + name
        let mode = git_tree_entry_filemode(entry)
        switch mode {
        case GIT_FILEMODE_TREE, GIT_FILEMODE_COMMIT:
            guard mkdir(path, 0o755) == 0 else { throw posixFailure("mkdir", path) }
        case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE, GIT_FILEMODE_LINK:
            var blob: OpaquePointer?
            try check(git_blob_lookup(&blob, repository, git_tree_entry_id(entry)), "git_blob_lookup")
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            let bytes = git_blob_rawcontent(blob)
            if mode == GIT_FILEMODE_LINK {
                let target = String(decoding: UnsafeRawBufferPointer(start: bytes, count: size), as: UTF8.self)
                guard symlink(target, path) == 0 else { throw posixFailure("symlink", path) }
            } else {
                try writeFile(path, bytes: bytes, count: size, executable: mode == GIT_FILEMODE_BLOB_EXECUTABLE)
            }
        default:
            throw GitError(.invalidInput, function: "export", message: "unknown file mode for \(parent)\(name)")
        }
    }

    private func writeFile(_ path: String, bytes: UnsafeRawPointer?, count: Int, executable: Bool) throws(GitError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, executable ? 0o755 : 0o644)
        guard descriptor >= 0 else { throw posixFailure("open", path) }
        defer { close(descriptor) }
        var written = 0
        while written < count {
            let result = Foundation.write(descriptor, bytes! + written, count - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw posixFailure("write", path)
            }
            written += result
        }
    }

    private func posixFailure(_ call: String, _ path: String) -> GitError {
        GitError(.other, function: "export", message: "\(call) \(path): \(String(cString: strerror(errno)))")
    }
}
