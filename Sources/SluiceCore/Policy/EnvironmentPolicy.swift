/// How one environment of a project is protected: the operator's `projects[].environments[]`
/// in the server config, and the only source of promotion policy.
///
/// The candidate commit's `.sluice.yml` never sets any of this. It names the environments its
/// model goes to and may ask for more approvals (``tightened(toApprovals:)``), never fewer, which
/// is what GitHub Environments and Atlantis' server-side `repos.yaml` guarantee too: whoever can
/// push a commit cannot rewrite the rules that commit is judged and shipped by.
public struct EnvironmentPolicy: Sendable, Hashable, Codable {
    public var name: String
    /// Promote as soon as the gate passes, without approval.
    public var auto: Bool
    /// Distinct approvers needed; 0 when `auto`.
    public var approvals: Int
    /// The forge logins that may approve or reject. Empty: anyone holding a release-manager or
    /// admin token of `auth.tokens_env` may.
    public var approvers: [String]
    /// Whether someone who brought a version (pushed it, authored its commit or its pull request)
    /// may approve its promotion here.
    var allowSelfApproval: Bool
    /// Globs of the branches whose versions may be promoted here; nil: any release branch.
    public var branches: [String]?
    /// The only Kubernetes namespace this environment's manifests may name; nil: none may, so the
    /// GitOps controller's destination namespace applies.
    public var namespace: String?

    public init(
        name: String, auto: Bool = false, approvals: Int = 0, approvers: [String] = [], allowSelfApproval: Bool = false,
        branches: [String]? = nil, namespace: String? = nil
    ) {
        self.name = name
        self.auto = auto
        self.approvals = approvals
        self.approvers = approvers
        self.allowSelfApproval = allowSelfApproval
        self.branches = branches
        self.namespace = namespace
    }

    /// Whether a version registered from `branch` may be promoted here.
    func admits(branch: String?) -> Bool {
        guard let branches else { return true }
        guard let branch else { return false }
        return branches.contains { GlobPattern($0).matches(branch) }
    }

    /// This policy with at least `approvals` distinct approvals, as a spec may ask: an `auto`
    /// environment asked for approvals stops being automatic. Asking for fewer changes nothing.
    func tightened(toApprovals approvals: Int?) -> EnvironmentPolicy {
        guard let approvals, approvals > self.approvals else { return self }
        var policy = self
        policy.auto = false
        policy.approvals = approvals
        return policy
    }

    /// This policy for a version whose candidate loosened the gate rules of the version it would
    /// replace: never automatic, and at least one approval.
    var requiringApproval: EnvironmentPolicy { tightened(toApprovals: 1) }
}
