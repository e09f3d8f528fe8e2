import CGit2
import Foundation

/// A git repository on disk, bare or not, read without a checkout.
///
/// A value holding only a path: each operation opens libgit2's handle, works, and frees it, so no
/// C handle escapes and the value is `Sendable`. Every operation blocks its thread; call it from a
/// thread pool, not from Swift's cooperative executor.
public struct Repository: Sendable, Hashable {
    public let path: URL

    public init(at path: URL) {
        self.path = path
    }

    /// Opens the repository for the duration of `body`.
    func withHandle<T>(_ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        Libgit2.ensureInitialized()
        var handle: OpaquePointer?
        try check(
            git_repository_open_ext(&handle, path.path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
            "git_repository_open_ext")
        defer { git_repository_free(handle) }
        return try body(handle!)
    }

    /// The commit a revision names: a branch, tag (peeled), full ref, or hex id.
    public func resolve(_ revision: String) throws(GitError) -> ObjectID {
        try withHandle { repository throws(GitError) in
            try Self.peeledCommitID(revision, in: repository)
        }
    }

    /// The branch `HEAD` points at (`main`), or nil when `HEAD` is detached or absent.
    public func defaultBranch() throws(GitError) -> String? {
        try withHandle { repository throws(GitError) in
            try Self.currentBranchReference(in: repository).map { String($0.dropFirst("refs/heads/".count)) }
        }
    }

    /// Every branch and tag by full ref name (`refs/heads/main`, `refs/tags/v1`), each peeled to
    /// the commit it names. Other refs (notes, remote-tracking) are left out.
    public func references() throws(GitError) -> [String: ObjectID] {
        try withHandle { repository throws(GitError) in
            var names = git_strarray()
            try check(git_reference_list(&names, repository), "git_reference_list")
            defer { git_strarray_dispose(&names) }
            var result: [String: ObjectID] = [:]
            for index in 0..<names.count {
                let name = String(cString: names.strings[index]!)
                guard name.hasPrefix("refs/heads/") || name.hasPrefix("refs/tags/") else { continue }
                result[name] = try Self.peeledCommitID(name, in: repository)
            }
            return result
        }
    }

    /// The names of the branches (`main`, not `refs/heads/main`), sorted; nothing is peeled, so
    /// this stays cheap in a repository with many refs.
    public func branches() throws(GitError) -> [String] {
        try withHandle { repository throws(GitError) in
            var names = git_strarray()
            try check(git_reference_list(&names, repository), "git_reference_list")
            defer { git_strarray_dispose(&names) }
            return (0..<names.count).map { String(cString: names.strings[$0]!) }
                .filter { $0.hasPrefix("refs/heads/") }.map { String($0.dropFirst("refs/heads/".count)) }.sorted()
        }
    }

    /// The bytes of the file at `path` in `commit`, read from the object database.
    /// Throws `.notFound` when the path does not exist there, `.invalidInput` when it is not a file.
    public func fileContents(at path: String, in commit: ObjectID) throws(GitError) -> Data {
        try withHandle { repository throws(GitError) in
            try Self.withTree(of: commit, in: repository) { tree throws(GitError) in
                var entry: OpaquePointer?
                try check(git_tree_entry_bypath(&entry, tree, path), "git_tree_entry_bypath")
                defer { git_tree_entry_free(entry) }
                guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else {
                    throw GitError(.invalidInput, function: "fileContents", message: "\(path) is not a file")
                }
                var blob: OpaquePointer?
                try check(git_blob_lookup(&blob, repository, git_tree_entry_id(entry)), "git_blob_lookup")
                defer { git_blob_free(blob) }
                return Data(bytes: git_blob_rawcontent(blob), count: Int(git_blob_rawsize(blob)))
            }
        }
    }

    /// The id of the tree (directory) or blob (file) at `path` in `commit`; `""` is the root tree.
    /// Equal ids mean equal content, in any clone. Nil when the path does not exist.
    public func objectID(at path: String, in commit: ObjectID) throws(GitError) -> ObjectID? {
        try withHandle { repository throws(GitError) in
            try Self.withTree(of: commit, in: repository) { tree throws(GitError) -> ObjectID? in
                let trimmed = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                if trimmed.isEmpty || trimmed == "." { return ObjectID(git_tree_id(tree)) }
                var entry: OpaquePointer?
                let result = git_tree_entry_bypath(&entry, tree, trimmed)
                if result == GIT_ENOTFOUND.rawValue { return nil }
                try check(result, "git_tree_entry_bypath")
                defer { git_tree_entry_free(entry) }
                return ObjectID(git_tree_entry_id(entry))
            }
        }
    }

    /// The paths added, removed or modified between two commits, sorted. A rename shows both paths.
    public func changedPaths(from old: ObjectID, to new: ObjectID) throws(GitError) -> [String] {
        try withHandle { repository throws(GitError) in
            try Self.withTree(of: old, in: repository) { oldTree throws(GitError) in
                try Self.withTree(of: new, in: repository) { newTree throws(GitError) in
                    var diff: OpaquePointer?
                    try check(git_diff_tree_to_tree(&diff, repository, oldTree, newTree, nil), "git_diff_tree_to_tree")
                    defer { git_diff_free(diff) }
                    var paths = Set<String>()
                    for index in 0..<git_diff_num_deltas(diff) {
                        guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
                        if let path = delta.old_file.path { paths.insert(String(cString: path)) }
                        if let path = delta.new_file.path { paths.insert(String(cString: path)) }
                    }
                    return paths.sorted()
                }
            }
        }
    }

    /// The work tree's paths that differ from the checked-out commit: modified, staged, deleted and
    /// untracked (ignored files left out), sorted. Empty for a bare repository.
    public func uncommittedPaths() throws(GitError) -> [String] {
        try withHandle { repository throws(GitError) in
            if git_repository_is_bare(repository) == 1 { return [] }
            var options = git_status_options()
            git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION))
            options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
            options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
            var list: OpaquePointer?
            try check(git_status_list_new(&list, repository, &options), "git_status_list_new")
            defer { git_status_list_free(list) }
            var paths = Set<String>()
            for index in 0..<git_status_list_entrycount(list) {
                guard let entry = git_status_byindex(list, index)?.pointee else { continue }
                let delta = entry.index_to_workdir ?? entry.head_to_index
                if let path = delta?.pointee.new_file.path ?? delta?.pointee.old_file.path {
                    paths.insert(String(cString: path))
                }
            }
            return paths.sorted()
        }
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor).
    /// A force-push that drops commits makes the old tip no longer an ancestor of the new one.
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws(GitError) -> Bool {
        if ancestor == descendant { return true }
        return try withHandle { repository throws(GitError) in
            var descendantOID = descendant.oid
            var ancestorOID = ancestor.oid
            return try check(
                git_graph_descendant_of(repository, &descendantOID, &ancestorOID), "git_graph_descendant_of") == 1
        }
    }

    /// The `refs/heads/...` name `HEAD` points at, born or not; nil when detached or absent.
    static func currentBranchReference(in repository: OpaquePointer) throws(GitError) -> String? {
        var head: OpaquePointer?
        let result = git_reference_lookup(&head, repository, "HEAD")
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_reference_lookup")
        defer { git_reference_free(head) }
        guard let target = git_reference_symbolic_target(head) else { return nil }
        let name = String(cString: target)
        return name.hasPrefix("refs/heads/") ? name : nil
    }

    /// The object `revision` names, or nil when it does not exist (an unborn branch, a missing
    /// ref). The caller frees it with `git_object_free`.
    static func commitIfPresent(_ revision: String, in repository: OpaquePointer) throws(GitError) -> OpaquePointer? {
        var object: OpaquePointer?
        let result = git_revparse_single(&object, repository, revision)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_revparse_single")
        return object
    }

    static func peeledCommitID(_ revision: String, in repository: OpaquePointer) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, repository, revision), "git_revparse_single")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "git_object_peel")
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit))
    }

    static func withTree<T>(
        of commit: ObjectID, in repository: OpaquePointer, _ body: (OpaquePointer) throws(GitError) -> T
    ) throws(GitError) -> T {
        var oid = commit.oid
        var commitHandle: OpaquePointer?
        try check(git_commit_lookup(&commitHandle, repository, &oid), "git_commit_lookup")
        defer { git_commit_free(commitHandle) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commitHandle), "git_commit_tree")
        defer { git_tree_free(tree) }
        return try body(tree!)
    }
}
