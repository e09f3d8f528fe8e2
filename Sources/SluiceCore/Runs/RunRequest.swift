import Git

/// What to run the gate on, and in what trust.
public struct RunRequest: Sendable {
    /// The repository to read the commit from: a project's mirror, or a local clone.
    public var repository: Repository
    /// How the run names the repository (a URL or a path).
    public var repositoryLabel: String
    public var project: String?
    /// The server's rules for the project (nil for `sluice run`): the spec is checked against
    /// them before any step runs, and their gate floor applies on top of the spec's rules.
    public var policy: ProjectPolicy?
    /// A commit id, branch or tag.
    public var revision: String
    /// The branch the commit was pushed to; "unchanged since the last trained commit" is judged
    /// on this branch only. Nil for pull requests and `sluice run`.
    public var branch: String?
    /// What the change is measured from: when none of the spec's input paths differ between the
    /// two commits, the run is skipped.
    var comparedWith: Comparison
    public var baseline: Baseline.Source
    /// False for code nobody trusted yet (a fork's pull request): it runs only in a sandbox,
    /// without network, secrets, `file://` data or the run cache of trusted runs.
    var trusted: Bool
    /// Whether trusted steps may use the network when sandboxed (`projects[].network`).
    public var network: Bool
    /// A new version of a dataset: the spec's data input of the same name uses its URI and digest
    /// instead of its own for this run (the run's trigger keeps the version identity).
    var dataArrival: DataArrival?
    /// The claimed trigger the run carries out, if the scheduler started it: its writes hold
    /// only while the claim does.
    public var claim: TriggerClaim?
    /// Variables the project grants its steps (`projects[].step_secrets_env`); given to trusted
    /// runs only, and redacted from the output of every run.
    var stepSecrets: [String: Secret]
    /// False to train again even when an earlier run had exactly these inputs (`/sluice retrain`,
    /// a firing alert).
    public var reuseCache: Bool
    /// The spec of the commit, when whoever asked for the run read it already (the release head
    /// a data arrival or an alert runs): the run checks it against the policy as always, but
    /// does not read it again.
    public var spec: PipelineSpec?

    public init(
        repository: Repository, repositoryLabel: String, project: String? = nil, policy: ProjectPolicy? = nil,
        revision: String, branch: String? = nil, comparedWith: Comparison = .none, baseline: Baseline.Source = .none,
        trusted: Bool = true, network: Bool = true, dataArrival: DataArrival? = nil, claim: TriggerClaim? = nil, stepSecrets: [String: Secret] = [:],
        reuseCache: Bool = true, spec: PipelineSpec? = nil
    ) {
        self.repository = repository
        self.repositoryLabel = repositoryLabel
        self.project = project
        self.policy = policy
        self.revision = revision
        self.branch = branch
        self.comparedWith = comparedWith
        self.baseline = baseline
        self.trusted = trusted
        self.network = network
        self.dataArrival = dataArrival
        self.claim = claim
        self.stepSecrets = stepSecrets
        self.reuseCache = reuseCache
        self.spec = spec
    }
}

/// The metrics a candidate is compared with, and how reports name them (`churn v3 (production)`).
public struct Baseline: Sendable, Hashable {
    public var metrics: Metrics
    public var label: String
    /// The gate report the baseline's version passed, whose spec rules a candidate may not loosen
    /// without approval; nil for metrics given by hand.
    public var gateReport: GateReport?

    public init(metrics: Metrics, label: String, gateReport: GateReport? = nil) {
        self.metrics = metrics
        self.label = label
        self.gateReport = gateReport
    }
}

extension Baseline {
    /// Where a run's baseline comes from.
    public enum Source: Sendable, Hashable {
        /// None: change rules report "no baseline" (and fail when the spec requires one).
        case none
        /// Metrics the caller has (`sluice run --baseline FILE`).
        case given(Baseline)
        /// The version the spec's baseline environment holds in the registry now, read once the
        /// spec is: the server's runs.
        case registry
    }
}
