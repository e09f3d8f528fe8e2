/// A run an engineer asked for through the API: a branch's head or a commit of a project, or a
/// run again of an earlier one.
public struct ManualRun: Sendable, Hashable, Codable {
    public var project: String
    /// A branch name or a commit id.
    public var revision: String
    /// The branch a commit id is on (a retry's run's branch); a branch name is its own.
    public var branch: String?
    /// The forge login of the engineer who asked.
    public var requestedBy: String
    /// Train again even when the run cache has this exact input.
    public var retrain: Bool
    /// The run this one retries, when it is a retry.
    public var retryOf: Run.ID?

    public init(
        project: String, revision: String, branch: String? = nil, requestedBy: String, retrain: Bool = false,
        retryOf: Run.ID? = nil
    ) {
        self.project = project
        self.revision = revision
        self.branch = branch
        self.requestedBy = requestedBy
        self.retrain = retrain
        self.retryOf = retryOf
    }
}
