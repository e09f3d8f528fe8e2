import CGit2
import Foundation

/// A bare local copy of one remote: every branch and tag, and the pull-request heads GitHub
/// (`refs/pull/N/head`) and GitLab (`refs/merge-requests/N/head`) publish, so the commit of a
/// pull request from a fork can be read too; kept current by incremental fetches.
///
/// Created on the first `fetch` (the remote's default branch becomes `HEAD`), then each fetch
/// brings only new objects and mirrors the remote's refs exactly: new and force-pushed branches
/// move, deleted branches and tags disappear. libgit2's own bare clone writes remote-tracking refs
/// and a `+refs/*:refs/*` clone leaves `HEAD` unborn, hence init + remote + fetch by hand.
/// An interrupted fetch updates no ref, so the next fetch starts from a consistent mirror.
/// Blocks its thread; one fetch at a time per mirror (callers serialise with a lock).
public struct Mirror: Sendable {
    public let path: URL
    public var remoteURL: String
    public var credentials: Credentials?
    public var timeouts: NetworkTimeouts

    static let remoteName = "origin"
    static let refspecs = [
        "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+refs/pull/*/head:refs/pull/*/head",
        "+refs/merge-requests/*/head:refs/merge-requests/*/head",
    ]

    public init(
        path: URL, remoteURL: String, credentials: Credentials? = nil, timeouts: NetworkTimeouts = NetworkTimeouts()
    ) {
        self.path = path
        self.remoteURL = remoteURL
        self.credentials = credentials
        self.timeouts = timeouts
    }

    /// The mirror's object database and refs, for reads.
    public var repository: Repository { Repository(at: path) }

    /// Creates the mirror if needed, then fetches all branches and tags with prune.
    ///
    /// `progress` is called on this thread as objects arrive; `cancellation` stops the transfer at
    /// its next report. A changed `remoteURL` is written to the mirror before fetching.
    @discardableResult
    public func fetch(
        progress: ((TransferProgress) -> Void)? = nil, cancellation: Cancellation? = nil
    ) throws(GitError) -> FetchSummary {
        let session = try RemoteSession(
            url: remoteURL, credentials: credentials, timeouts: timeouts, progress: progress,
            cancellation: cancellation)
        let created = try createIfNeeded()
        return try repository.withHandle { repository throws(GitError) in
            var remote: OpaquePointer?
            try check(git_remote_lookup(&remote, repository, Self.remoteName), "git_remote_lookup")
            defer { git_remote_free(remote) }
            if String(cString: git_remote_url(remote)) != remoteURL {
                try check(git_remote_set_url(repository, Self.remoteName, remoteURL), "git_remote_set_url")
                git_remote_free(remote)
                try check(git_remote_lookup(&remote, repository, Self.remoteName), "git_remote_lookup")
            }
            var received = TransferProgress(totalObjects: 0, receivedObjects: 0, indexedObjects: 0, receivedBytes: 0)
            var defaultBranch: String?
            try session.perform("git_remote_fetch") { callbacks in
                var callbacks = callbacks
                var result = git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil)
                guard result == 0 else { return result }
                defer { git_remote_disconnect(remote) }
                var branch = git_buf()
                if git_remote_default_branch(&branch, remote) == 0 {
                    defaultBranch = String(cString: branch.ptr)
                }
                git_buf_dispose(&branch)
                git_error_clear()

                var options = git_fetch_options()
                git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
                options.callbacks = callbacks
                options.prune = GIT_FETCH_PRUNE
                options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
                // The refspecs are given here, not only read from the mirror's config, so a
                // mirror made before a refspec was added fetches it too.
                result = withStringArray(Self.refspecs) { refspecs in git_remote_download(remote, refspecs, &options) }
                guard result == 0 else { return result }
                result = git_remote_update_tips(
                    remote, &callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_ALL, "sluice: fetch")
                guard result == 0 else { return result }
                result = git_remote_prune(remote, &callbacks)
                if let stats = git_remote_stats(remote)?.pointee {
                    received = TransferProgress(
                        totalObjects: Int(stats.total_objects), receivedObjects: Int(stats.received_objects),
                        indexedObjects: Int(stats.indexed_objects), receivedBytes: Int(stats.received_bytes))
                }
                return result
            }
            if let defaultBranch {
                try check(git_repository_set_head(repository, defaultBranch), "git_repository_set_head")
            }
            return FetchSummary(
                created: created,
                defaultBranch: defaultBranch.map { String($0.dropFirst("refs/heads/".count)) },
                received: received)
        }
    }

    /// Makes the bare repository and its `origin` remote on first use; true when it did.
    private func createIfNeeded() throws(GitError) -> Bool {
        Libgit2.ensureInitialized()
        var handle: OpaquePointer?
        if git_repository_open_ext(&handle, path.path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil) == 0 {
            git_repository_free(handle)
            return false
        }
        git_error_clear()
        try check(git_repository_init(&handle, path.path, 1), "git_repository_init")
        defer { git_repository_free(handle) }
        var remote: OpaquePointer?
        try check(
            git_remote_create_with_fetchspec(&remote, handle, Self.remoteName, remoteURL, Self.refspecs[0]),
            "git_remote_create_with_fetchspec", redacting: credentials?.secrets ?? [])
        git_remote_free(remote)
        for refspec in Self.refspecs.dropFirst() {
            try check(git_remote_add_fetch(handle, Self.remoteName, refspec), "git_remote_add_fetch")
        }
        return true
    }
}

/// What one `Mirror.fetch` did.
public struct FetchSummary: Sendable, Hashable {
    /// True when this fetch created the mirror (a full clone).
    public var created: Bool
    /// The remote's default branch (`main`), nil for an empty remote.
    public var defaultBranch: String?
    /// Objects and bytes that crossed the network.
    public var received: TransferProgress
}
