import Foundation

/// One execution of the gate for a commit: what ran, how it ended, and what it produced.
public struct Run: Sendable, Hashable, Codable {
    /// The store's number for a run, shown to users as `run 12`.
    public typealias ID = SerialNumber<Run>

    /// Where a run stands. Only `running` changes; every other state is final.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case running
        /// Every step succeeded and the gate passed.
        case passed
        /// Every step succeeded, the gate did not pass.
        case gateFailed = "gate_failed"
        /// A step exited non-zero, was killed, or ran past its deadline.
        case failed
        /// The run could not be carried out: a bad spec, a data download, the workspace.
        case error
        /// Nothing the spec reads changed, so nothing ran.
        case skipped
        case cancelled
        /// A newer push to the same branch (or a newer head of the same pull request) replaced it.
        case superseded
    }

    public var id: ID
    /// The registered project; nil for `sluice run` on a local repository.
    public var project: String?
    /// The queued trigger the scheduler started it for; nil for `sluice run`.
    public var triggerID: Int64?
    /// The repository's path or URL, as the run read it.
    public var repository: String
    public var commit: String
    /// The branch the commit was pushed to; nil for pull requests and `sluice run`.
    public var branch: String?
    public var state: State
    /// Why the run ended as it did, in a sentence (the failed step, the skipped paths, the cache hit).
    public var reason: String?
    public var conclusion: Conclusion
    /// Why the last report to the forge (commit status, pull-request comment) failed, if it did;
    /// the run's own state is never affected by it.
    public var reportProblem: String?
    public var startedAt: Date
    public var finishedAt: Date?

    /// What a finished run produced; empty while it runs, partly filled when it stopped early.
    public struct Conclusion: Sendable, Hashable, Codable {
        public var model: String?
        /// The digest of the spec the run followed.
        var specDigest: Digest?
        /// What makes this run's training reusable (``RunCacheKey``).
        var cacheKey: Digest?
        /// The earlier run whose training this one reused.
        public var cachedFrom: ID?
        /// Data input name → the digest of the bytes the run used.
        public var dataVersions: [String: Digest]
        public var metrics: Metrics?
        public var gateReport: GateReport?
        /// The artifact's address.
        public var artifactDigest: Digest?
        /// Where the artifact lies, inside the run directory of the run that trained it.
        public var artifactPath: String?
        /// The Python environment the steps ran in, when the spec asks for one.
        public var environment: PythonEnvironmentRecord?

        public init(
            model: String? = nil, specDigest: Digest? = nil, cacheKey: Digest? = nil, cachedFrom: ID? = nil, dataVersions: [String: Digest] = [:],
            metrics: Metrics? = nil, gateReport: GateReport? = nil, artifactDigest: Digest? = nil,
            artifactPath: String? = nil, environment: PythonEnvironmentRecord? = nil
        ) {
            self.model = model
            self.specDigest = specDigest
            self.cacheKey = cacheKey
            self.cachedFrom = cachedFrom
            self.dataVersions = dataVersions
            self.metrics = metrics
            self.gateReport = gateReport
            self.artifactDigest = artifactDigest
            self.artifactPath = artifactPath
            self.environment = environment
        }
    }

    /// The Python environment of a run, as its lineage records it.
    public struct PythonEnvironmentRecord: Sendable, Hashable, Codable {
        /// The digest of the project, interpreter and requirements: the environment's identity.
        public var digest: Digest
        /// The interpreter's version, as in `3.11.2`.
        public var python: String
        /// The requirements file's path in the repository.
        public var requirements: String
        /// The digest of the requirements file.
        public var requirementsDigest: Digest

        public init(digest: Digest, python: String, requirements: String, requirementsDigest: Digest) {
            self.digest = digest
            self.python = python
            self.requirements = requirements
            self.requirementsDigest = requirementsDigest
        }
    }
}

extension Run: Numbered {
    public static func label(of number: Int64) -> String { "run \(number)" }
}
