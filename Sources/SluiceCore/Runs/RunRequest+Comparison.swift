extension RunRequest {
    /// What a run's change is measured from, to skip it when no input path changed.
    public enum Comparison: Sendable, Hashable {
        /// Run unconditionally (`sluice run`, a data arrival, an alert).
        case none
        /// A commit id or revision: a push's `before`.
        case commit(String)
        /// The last commit of the project that trained a model (a run whose steps all succeeded),
        /// for a push with no usable `before` (a new branch); runs unconditionally when there is none.
        case lastTrained
    }
}
