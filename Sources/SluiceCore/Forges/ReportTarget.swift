/// What a run is reported on: the commit that gets the status, and the pull request that gets
/// the comment when the run is for one.
public struct ReportTarget: Sendable, Hashable {
    public var commit: String
    /// The pull request number (GitLab: merge request IID).
    public var pullRequest: Int?

    public init(commit: String, pullRequest: Int? = nil) {
        self.commit = commit
        self.pullRequest = pullRequest
    }
}
