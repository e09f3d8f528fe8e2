import Foundation

/// A bare "remote" repository plus a work clone that plays the developer pushing to it.
///
/// Built with the git CLI, so what libgit2 reads was written by a different implementation.
public final class RemoteFixture: Sendable {
    /// The bare repository that mirrors and clones fetch from.
    public let bare: URL
    /// The developer's clone; commits are made here and pushed to `bare`.
    public let work: URL

    /// Creates `name.git` and its work clone inside `directory`, on branch `main`.
    public init(named name: String = "model", in directory: URL) throws {
        bare = directory.appendingPathComponent("\(name).git")
        work = directory.appendingPathComponent("\(name)-work")
        try GitCLI.run(["init", "--quiet", "--bare", "--initial-branch=main", bare.path])
        try GitCLI.run(["init", "--quiet", "--initial-branch=main", work.path])
        try git(["remote", "add", "origin", bare.path])
    }

    /// The `file://` URL of the bare repository.
    public var fileURL: String { "file://" + bare.path }

    /// Writes `files` (path -> contents; nil deletes), commits them on the current branch and
    /// returns the new commit's id.
    @discardableResult
    public func commit(_ files: [String: String?], message: String = "change") throws -> String {
        for (path, contents) in files {
            let url = work.appendingPathComponent(path)
            if let contents {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(contents.utf8).write(to: url)
            } else {
                try FileManager.default.removeItem(at: url)
            }
        }
        try git(["add", "--all"])
        try git(["commit", "--quiet", "--allow-empty", "-m", message])
        return try git(["rev-parse", "HEAD"])
    }

    /// Runs git in the work clone.
    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        try GitCLI.run(arguments, in: work)
    }

    /// Pushes `branch` (and, with `force`, rewrites it) to the bare repository.
    public func push(_ branch: String = "main", force: Bool = false) throws {
        try git(["push", "--quiet"] + (force ? ["--force"] : []) + ["origin", branch])
    }

    /// The commit a ref names in the bare repository, or nil when it does not exist.
    public func remoteCommit(_ ref: String) -> String? {
        try? GitCLI.run(["rev-parse", "--verify", "--quiet", "\(ref)^{commit}"], in: bare)
    }
}
