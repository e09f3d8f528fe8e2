import CGit2
import Foundation

/// A clone with a work tree, for a repository this process writes to (the deploy repository):
/// write files, commit only when the tree changed, push, and start over from the remote when a
/// push is rejected because someone else pushed first.
///
/// Follows one branch of `origin`. Blocks its thread; one writer at a time per directory.
public struct WorkingRepository: Sendable {
    public let directory: URL
    public let remoteURL: String
    public let branch: String
    public var credentials: Credentials?
    public var timeouts: NetworkTimeouts

    /// The clone's objects and refs, for reads.
    public var repository: Repository { Repository(at: directory) }

    private var branchReference: String { "refs/heads/\(branch)" }

    /// Clones `branch` of `remoteURL` into `directory` (which must not exist or be empty).
    /// An empty remote gives an empty clone whose first commit creates `branch`.
    public static func clone(
        from remoteURL: String, branch: String, into directory: URL, credentials: Credentials? = nil,
        timeouts: NetworkTimeouts = NetworkTimeouts()
    ) throws(GitError) -> WorkingRepository {
        let working = WorkingRepository(
            directory: directory, remoteURL: remoteURL, branch: branch, credentials: credentials, timeouts: timeouts)
        let session = try RemoteSession(url: remoteURL, credentials: credentials, timeouts: timeouts)
        Libgit2.ensureInitialized()
        var handle: OpaquePointer?
        try session.perform("git_clone") { callbacks in
            var options = git_clone_options()
            git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION))
            options.fetch_opts.callbacks = callbacks
            return git_clone(&handle, remoteURL, directory.path, &options)
        }
        defer { git_repository_free(handle) }
        try working.checkOutBranch(in: handle!)
        return working
    }

    /// Puts the fresh clone on `branch`: the remote's branch when it exists, an unborn branch when
    /// the remote is empty. A missing branch on a non-empty remote is `.notFound`.
    private func checkOutBranch(in repository: OpaquePointer) throws(GitError) {
        let target = try Repository.commitIfPresent("\(trackingReference)^{commit}", in: repository)
        defer { git_object_free(target) }
        if target == nil {
            guard git_repository_head_unborn(repository) == 1 else {
                throw GitError(
                    .notFound, function: "clone", message: "the remote has no branch '\(branch)'")
            }
            try check(git_repository_set_head(repository, branchReference), "git_repository_set_head")
            return
        }
        if try Repository.currentBranchReference(in: repository) == branchReference { return }
        var local: OpaquePointer?
        try check(git_branch_create(&local, repository, branch, target, 0), "git_branch_create")
        git_reference_free(local)
        try check(git_repository_set_head(repository, branchReference), "git_repository_set_head")
        var checkout = git_checkout_options()
        git_checkout_options_init(&checkout, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        checkout.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        try check(git_checkout_head(repository, &checkout), "git_checkout_head")
    }

    /// Opens an existing clone made by `clone`.
    public init(
        directory: URL, remoteURL: String, branch: String, credentials: Credentials? = nil,
        timeouts: NetworkTimeouts = NetworkTimeouts()
    ) {
        self.directory = directory
        self.remoteURL = remoteURL
        self.branch = branch
        self.credentials = credentials
        self.timeouts = timeouts
    }

    /// Writes `contents` to `relativePath` in the work tree, creating directories as needed.
    /// The path must stay inside the work tree: no `..`, no absolute path, no `.git`, no symlink.
    public func write(_ contents: Data, to relativePath: String) throws(GitError) {
        let target = try resolvedPath(relativePath)
        do {
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: target, options: .atomic)
        } catch {
            throw GitError(.other, function: "write", message: "cannot write \(relativePath): \(error)")
        }
    }

    /// Removes `relativePath` from the work tree if it is there; the next commit records the removal.
    public func remove(_ relativePath: String) throws(GitError) {
        let target = try resolvedPath(relativePath)
        guard FileManager.default.fileExists(atPath: target.path) else { return }
        do {
            try FileManager.default.removeItem(at: target)
        } catch {
            throw GitError(.other, function: "remove", message: "cannot remove \(relativePath): \(error)")
        }
    }

    /// Commits the whole work tree on `branch` when its tree differs from the current commit's.
    ///
    /// The message gets a blank line and the trailers appended, in order. Returns `.unchanged`,
    /// making no commit, when the tree is identical (or empty on an unborn branch).
    public func commit(
        message: String, trailers: [Trailer] = [], author: Signature, committer: Signature? = nil
    ) throws(GitError) -> CommitOutcome {
        let fullMessage = try Self.compose(message, trailers: trailers)
        return try repository.withHandle { repository throws(GitError) in
            var index: OpaquePointer?
            try check(git_repository_index(&index, repository), "git_repository_index")
            defer { git_index_free(index) }
            try withStringArray(["*"]) { pathspec throws(GitError) in
                try check(git_index_add_all(index, pathspec, 0, nil, nil), "git_index_add_all")
                try check(git_index_update_all(index, pathspec, nil, nil), "git_index_update_all")
            }
            try check(git_index_write(index), "git_index_write")
            var treeID = git_oid()
            try check(git_index_write_tree(&treeID, index), "git_index_write_tree")

            let parent = try Repository.commitIfPresent("HEAD^{commit}", in: repository)
            defer { git_object_free(parent) }
            if let parent {
                var parentTree: OpaquePointer?
                try check(git_commit_tree(&parentTree, parent), "git_commit_tree")
                defer { git_tree_free(parentTree) }
                if git_oid_equal(git_tree_id(parentTree), &treeID) == 1 { return .unchanged }
            } else if git_index_entrycount(index) == 0 {
                return .unchanged
            }

            var tree: OpaquePointer?
            try check(git_tree_lookup(&tree, repository, &treeID), "git_tree_lookup")
            defer { git_tree_free(tree) }
            return try Self.withSignature(author) { authorSignature throws(GitError) in
                try Self.withSignature(committer ?? author) { committerSignature throws(GitError) in
                    var commitID = git_oid()
                    var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
                    try check(
                        git_commit_create(
                            &commitID, repository, "HEAD", authorSignature, committerSignature, "UTF-8",
                            fullMessage, tree, parents.count, &parents),
                        "git_commit_create")
                    return .committed(ObjectID(commitID))
                }
            }
        }
    }

    /// Pushes `branch` to `origin` without force and returns the commit now on the remote.
    ///
    /// Throws `.rejectedPush` when the remote branch moved since this clone last saw it, whether
    /// libgit2 notices (not a fast-forward) or the server refuses the update; `resetToRemote()`
    /// and a re-applied change are the way forward.
    @discardableResult
    public func push() throws(GitError) -> ObjectID {
        let session = try RemoteSession(url: remoteURL, credentials: credentials, timeouts: timeouts)
        return try repository.withHandle { repository throws(GitError) in
            let head = try Repository.peeledCommitID(branchReference, in: repository)
            var remote: OpaquePointer?
            try check(git_remote_lookup(&remote, repository, Mirror.remoteName), "git_remote_lookup")
            defer { git_remote_free(remote) }
            try withStringArray(["\(branchReference):\(branchReference)"]) { refspecs throws(GitError) in
                try session.perform("git_remote_push") { callbacks in
                    var options = git_push_options()
                    git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION))
                    options.callbacks = callbacks
                    return git_remote_push(remote, refspecs, &options)
                }
            }
            return head
        }
    }

    /// Fetches `branch` and resets the clone to it, dropping local commits and work-tree changes.
    /// Returns the remote's commit, or nil while the remote branch does not exist yet.
    @discardableResult
    func resetToRemote() throws(GitError) -> ObjectID? {
        try fetch()
        return try resetToLastSeenRemote()
    }

    /// Fetches `branch` into its remote-tracking ref, leaving the branch and the work tree alone.
    public func fetch() throws(GitError) {
        let session = try RemoteSession(url: remoteURL, credentials: credentials, timeouts: timeouts)
        try repository.withHandle { repository throws(GitError) in
            var remote: OpaquePointer?
            try check(git_remote_lookup(&remote, repository, Mirror.remoteName), "git_remote_lookup")
            defer { git_remote_free(remote) }
            try withStringArray(["+\(branchReference):\(trackingReference)"]) { refspecs throws(GitError) in
                try session.perform("git_remote_fetch") { callbacks in
                    var options = git_fetch_options()
                    git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
                    options.callbacks = callbacks
                    return git_remote_fetch(remote, refspecs, &options, "sluice: fetch")
                }
            }
        }
    }

    /// Resets the clone to the remote's branch as the last fetch or push saw it, without the
    /// network: local commits that were never pushed and work-tree changes are dropped.
    ///
    /// A successful `push` moves that remote-tracking ref too, so after one the clone needs no
    /// fetch to be current unless someone else pushed. Returns the commit, or nil while the
    /// remote branch does not exist yet (the branch is then unborn and the work tree empty).
    @discardableResult
    public func resetToLastSeenRemote() throws(GitError) -> ObjectID? {
        try repository.withHandle { repository throws(GitError) -> ObjectID? in
            guard let target = try Repository.commitIfPresent("\(trackingReference)^{commit}", in: repository) else {
                try Self.makeUnborn(branchReference, in: repository, workTree: directory)
                return nil
            }
            defer { git_object_free(target) }
            var checkout = git_checkout_options()
            git_checkout_options_init(&checkout, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
            checkout.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_REMOVE_UNTRACKED.rawValue
            try check(git_reset(repository, target, GIT_RESET_HARD, &checkout), "git_reset")
            return ObjectID(git_object_id(target))
        }
    }

    private var trackingReference: String { "refs/remotes/\(Mirror.remoteName)/\(branch)" }

    /// Takes the branch back to unborn with an empty index and work tree: what a clone of an
    /// empty remote is, after a commit that never reached it.
    private static func makeUnborn(_ branch: String, in repository: OpaquePointer, workTree: URL) throws(GitError) {
        var reference: OpaquePointer?
        if git_reference_lookup(&reference, repository, branch) == 0 {
            defer { git_reference_free(reference) }
            try check(git_reference_delete(reference), "git_reference_delete")
        }
        git_error_clear()
        try check(git_repository_set_head(repository, branch), "git_repository_set_head")
        var index: OpaquePointer?
        try check(git_repository_index(&index, repository), "git_repository_index")
        defer { git_index_free(index) }
        try check(git_index_clear(index), "git_index_clear")
        try check(git_index_write(index), "git_index_write")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: workTree.path)) ?? []
        for entry in entries where entry != ".git" {
            try? FileManager.default.removeItem(at: workTree.appendingPathComponent(entry))
        }
    }

    private func resolvedPath(_ relativePath: String) throws(GitError) -> URL {
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: true)
        guard !relativePath.hasPrefix("/"), !components.isEmpty,
            !components.contains(where: { $0 == ".." || $0 == "." || $0.lowercased() == ".git" })
        else {
            throw GitError(
                .invalidInput, function: "path",
                message: "'\(relativePath)' must be a relative path inside the repository without '..' or '.git'")
        }
        var current = directory
        for component in components {
            current.appendPathComponent(String(component))
            var status = stat()
            if lstat(current.path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK {
                throw GitError(
                    .invalidInput, function: "path", message: "'\(relativePath)' passes through a symlink")
            }
        }
        return current
    }

    private static func compose(_ message: String, trailers: [Trailer]) throws(GitError) -> String {
        let body = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else {
            throw GitError(.invalidInput, function: "commit", message: "the commit message is empty")
        }
        var lines: [String] = []
        for trailer in trailers {
            let key = trailer.key
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }),
                !trailer.value.contains(where: \.isNewline)
            else {
                throw GitError(
                    .invalidInput, function: "commit",
                    message: "trailer '\(key)' needs a key of letters, digits and '-' and a one-line value")
            }
            lines.append("\(key): \(trailer.value)")
        }
        return lines.isEmpty ? body + "\n" : body + "\n\n" + lines.joined(separator: "\n") + "\n"
    }

    private static func withSignature<T>(
        _ signature: Signature, _ body: (UnsafePointer<git_signature>) throws(GitError) -> T
    ) throws(GitError) -> T {
        var handle: UnsafeMutablePointer<git_signature>?
        try check(
            git_signature_new(
                &handle, signature.name, signature.email, git_time_t(signature.date.timeIntervalSince1970),
                Int32(signature.utcOffsetMinutes)),
            "git_signature_new")
        defer { git_signature_free(handle) }
        return try body(handle!)
    }
}
