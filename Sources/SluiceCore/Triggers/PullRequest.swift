/// A pull request (GitHub) or merge request (GitLab) changed in a way that matters to the gate.
public struct PullRequest: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Codable {
        case opened
        /// New commits on the head branch (GitHub `synchronize`, GitLab `update` with `oldrev`).
        case synchronized
        case reopened
        /// Closed without merging.
        case closed
        case merged
    }

    public var project: String
    /// The number users see: GitHub's PR number, GitLab's merge request IID.
    public var number: Int
    public var action: Action
    var headSHA: String
    var headRef: String
    var baseRef: String
    /// The previous head on `synchronized` (GitHub `before`, GitLab `oldrev`).
    var previousHeadSHA: String?
    /// The merge commit on `merged`, when the forge says.
    var mergeCommitSHA: String?
    /// The head lives in another repository (or a deleted one): its code is untrusted.
    var isFork: Bool
    public var author: String?

    public init(
        project: String, number: Int, action: Action, headSHA: String, headRef: String, baseRef: String,
        previousHeadSHA: String?, mergeCommitSHA: String?, isFork: Bool, author: String?
    ) {
        self.project = project
        self.number = number
        self.action = action
        self.headSHA = headSHA
        self.headRef = headRef
        self.baseRef = baseRef
        self.previousHeadSHA = previousHeadSHA
        self.mergeCommitSHA = mergeCommitSHA
        self.isFork = isFork
        self.author = author
    }
}
