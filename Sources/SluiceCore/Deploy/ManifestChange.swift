import Foundation
import Git

/// One manifest to write to the deploy repository, and the commit that records it.
public struct ManifestChange: Sendable, Hashable {
    /// Where the manifest goes, relative to the deploy repository's root.
    public var path: String
    public var contents: Data
    /// The commit message without trailers.
    public var message: String
    /// Trailers appended to the message; `identity` is among them.
    public var trailers: [Trailer]
    /// The trailer no other change carries (`Sluice-Promotion: 4@<installation>`): finding it on
    /// the remote means this change was already committed and pushed.
    public var identity: Trailer
    /// No commit older than this can carry `identity`, so the search for it stops there.
    public var notBefore: Date
    public var author: Signature

    public init(
        path: String, contents: Data, message: String, trailers: [Trailer], identity: Trailer, notBefore: Date,
        author: Signature
    ) {
        self.path = path
        self.contents = contents
        self.message = message
        self.trailers = trailers.contains(identity) ? trailers : trailers + [identity]
        self.identity = identity
        self.notBefore = notBefore
        self.author = author
    }
}

/// What writing a change did; each case names the remote commit that now holds the manifest.
public enum DeployOutcome: Sendable, Hashable {
    /// A new commit, now on the remote.
    case committed(ObjectID)
    /// A commit carrying the change's identity was already on the remote: an earlier attempt
    /// pushed it and stopped before recording that (a crash, a lost answer).
    case alreadyApplied(ObjectID)
    /// The file already held exactly these bytes at this remote commit; nothing was committed.
    case unchanged(ObjectID)

    public var commit: ObjectID {
        switch self {
        case .committed(let id), .alreadyApplied(let id), .unchanged(let id): id
        }
    }
}
