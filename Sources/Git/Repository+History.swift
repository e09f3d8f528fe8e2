import CGit2
import Foundation

extension Repository {
    /// The author, committer, message and trailers of one commit.
    public func commit(_ id: ObjectID) throws(GitError) -> CommitDetails {
        try withHandle { repository throws(GitError) in
            var oid = id.oid
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, repository, &oid), "git_commit_lookup")
            defer { git_commit_free(commit) }
            let message = git_commit_message(commit).map { String(cString: $0) } ?? ""
            let parents = (0..<git_commit_parentcount(commit)).compactMap { index in
                git_commit_parent_id(commit, index).map(ObjectID.init(_:))
            }
            return CommitDetails(
                id: id, author: Self.signature(git_commit_author(commit)),
                committer: Self.signature(git_commit_committer(commit)), parents: parents, message: message,
                trailers: try Self.trailers(of: message))
        }
    }

    /// The newest commit reachable from `tip` whose message carries `trailer` (key and value equal),
    /// or nil when none does.
    ///
    /// Walks newest first by committer time and stops at the first commit older than `since`
    /// (when given) or after `limit` commits, so the cost stays bounded in a long history.
    public func newestCommit(
        from tip: ObjectID, carrying trailer: Trailer, since: Date? = nil, limit: Int = 10_000
    ) throws(GitError) -> ObjectID? {
        try withHandle { repository throws(GitError) -> ObjectID? in
            var walk: OpaquePointer?
            try check(git_revwalk_new(&walk, repository), "git_revwalk_new")
            defer { git_revwalk_free(walk) }
            try check(git_revwalk_sorting(walk, GIT_SORT_TIME.rawValue), "git_revwalk_sorting")
            var start = tip.oid
            try check(git_revwalk_push(walk, &start), "git_revwalk_push")
            var oid = git_oid()
            for _ in 0..<limit {
                let result = git_revwalk_next(&oid, walk)
                if result == GIT_ITEROVER.rawValue { return nil }
                try check(result, "git_revwalk_next")
                var commit: OpaquePointer?
                try check(git_commit_lookup(&commit, repository, &oid), "git_commit_lookup")
                defer { git_commit_free(commit) }
                if let since, Double(git_commit_time(commit)) < since.timeIntervalSince1970 { return nil }
                let trailers = try Self.trailers(of: git_commit_message(commit).map { String(cString: $0) } ?? "")
                if trailers.contains(trailer) { return ObjectID(oid) }
            }
            return nil
        }
    }

    private static func signature(_ pointer: UnsafePointer<git_signature>?) -> Signature {
        guard let signature = pointer?.pointee else { return Signature(name: "", email: "") }
        return Signature(
            name: signature.name.map { String(cString: $0) } ?? "",
            email: signature.email.map { String(cString: $0) } ?? "",
            date: Date(timeIntervalSince1970: Double(signature.when.time)),
            utcOffsetMinutes: Int(signature.when.offset))
    }

    private static func trailers(of message: String) throws(GitError) -> [Trailer] {
        var array = git_message_trailer_array()
        try check(git_message_trailers(&array, message), "git_message_trailers")
        defer { git_message_trailer_array_free(&array) }
        return (0..<array.count).map { index in
            let trailer = array.trailers[index]
            return Trailer(String(cString: trailer.key), String(cString: trailer.value))
        }
    }
}
