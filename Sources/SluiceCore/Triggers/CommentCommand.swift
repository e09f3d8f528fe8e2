/// A `/sluice ...` command written as a comment on a pull or merge request.
public struct CommentCommand: Sendable, Hashable, Codable {
    public enum Verb: String, Sendable, Codable, CaseIterable {
        /// Run the gate on the PR's head (how a maintainer lets a fork's code run).
        case run
        /// Train again on the same commit, ignoring the run cache.
        case retrain
        case approve
        case reject

        /// Whether the command decides a promotion (`approve`, `reject`), which the promotion
        /// service carries out; the scheduler carries out the others. The one place that routes
        /// a comment command.
        var decidesPromotion: Bool { self == .approve || self == .reject }
    }

    public var project: String
    /// The pull request number or merge request IID the comment is on.
    public var number: Int
    var verb: Verb
    /// The environment named by `approve` and `reject`.
    public var environment: String?
    /// The commenter's forge user name.
    var commenter: String
    /// GitHub's `author_association` (`OWNER`, `MEMBER`, `COLLABORATOR`, `CONTRIBUTOR`, `NONE`, ...);
    /// nil on GitLab, whose note hook does not say (the access level is asked of its API).
    var authorAssociation: String?

    public init(
        project: String, number: Int, verb: Verb, environment: String?, commenter: String, authorAssociation: String?
    ) {
        self.project = project
        self.number = number
        self.verb = verb
        self.environment = environment
        self.commenter = commenter
        self.authorAssociation = authorAssociation
    }
}
