/// What a commit says about itself: who wrote it, when, and its message with its trailers.
public struct CommitDetails: Sendable, Hashable {
    public var id: ObjectID
    public var author: Signature
    public var committer: Signature
    /// Its parents in order: none for a root commit, two or more for a merge, whose first parent
    /// is the branch it was merged into.
    public var parents: [ObjectID]
    /// The whole message, trailers included.
    public var message: String
    /// The `Key: value` lines at the end of the message, as git parses them, in order.
    public var trailers: [Trailer]

    /// The message's first line.
    public var summary: String {
        String(message.prefix { !$0.isNewline })
    }
}
