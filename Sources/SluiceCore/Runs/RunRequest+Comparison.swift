extension RunRequest {
    /// What a run's change is measured from, to skip it when no input path changed.
    public enum Comparison: Sendable, Hashable {
        /// Run unconditionally (`sluice run`, a data arrival, an alert).
        case none
        /// A commit id or revision: a push's `before`.
        case commit(String)
        /// The last commit that trained a model (a run whose steps all succeeded) on the run's own
        /// branch, so the push that merges a gated pull request is compared with the branch it
        /// lands on, not with the pull request; runs unconditionally when there is none.
        case lastTrained
    }
}
