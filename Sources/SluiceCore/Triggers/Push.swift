/// A push of a branch or tag: created, updated (perhaps forced) or deleted.
public struct Push: Sendable, Hashable, Codable {
    public enum RefKind: String, Sendable, Codable {
        case branch
        case tag
    }

    public var project: String
    /// The full ref, `refs/heads/main` or `refs/tags/v1`.
    public var ref: String
    var refKind: RefKind
    /// The commit before the push; 40 zeros when the ref was created.
    public var before: String
    /// The commit after the push; 40 zeros when the ref was deleted.
    public var after: String
    public var created: Bool
    public var deleted: Bool
    /// The forge said the push rewrote history (GitHub only; GitLab sends no such flag).
    public var forced: Bool
    /// Who pushed, by forge login, when the forge says.
    public var pusher: String?
    /// The forge login of the pushed head commit's author, when the forge matched the commit's
    /// email to an account (GitHub's `head_commit.author.username`); never the git author name,
    /// which anyone sets freely.
    var headAuthor: String?

    public init(
        project: String, ref: String, refKind: RefKind, before: String, after: String, created: Bool,
        deleted: Bool, forced: Bool, pusher: String?, headAuthor: String? = nil
    ) {
        self.project = project
        self.ref = ref
        self.refKind = refKind
        self.before = before
        self.after = after
        self.created = created
        self.deleted = deleted
        self.forced = forced
        self.pusher = pusher
        self.headAuthor = headAuthor
    }

    /// The branch or tag name without its `refs/heads/` or `refs/tags/` prefix.
    public var name: String {
        for prefix in ["refs/heads/", "refs/tags/"] where ref.hasPrefix(prefix) {
            return String(ref.dropFirst(prefix.count))
        }
        return ref
    }

    /// Forges write an absent commit as forty zeros.
    public static let zeroCommit = String(repeating: "0", count: 40)
}
