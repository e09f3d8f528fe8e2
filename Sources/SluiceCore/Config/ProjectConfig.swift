/// An ML repository registered with the server: where it lives, how its webhooks are verified,
/// which branches it watches, which registry models it owns, and how its environments are
/// protected.
///
/// Secrets are `Secret`s read from the environment variables the config names. `branches` is nil
/// when every branch is watched; each entry is a glob where `*` matches anything, `/` included.
public struct ProjectConfig: Sendable {
    public var name: String
    public var forge: ForgeKind
    /// The clone URL: `https://`, `http://`, `ssh://`, `file://` or scp-style `git@host:path`.
    public var repo: String
    /// Verifies deliveries: GitHub's HMAC key or GitLab's `X-Gitlab-Token`. Nil only for `generic`.
    public var webhookSecret: Secret?
    /// GitLab's `whsec_...` signing token for signed webhooks; GitLab only.
    public var signingSecret: Secret?
    /// For clone, commit status and comments.
    public var token: Secret?
    public var branches: [String]?
    /// The registry model names this project owns; defaults to `[name]`.
    public var models: [String]
    /// Variables the project's trusted steps receive (`HF_TOKEN`), with values from the server's
    /// environment; never given to untrusted code, and redacted from every step's output.
    var stepSecrets: [String: Secret]
    /// The forge's REST API, when it is not where the clone URL's host implies
    /// (`https://api.github.com`, `https://HOST/api/v3`, `https://HOST/api/v4`).
    public var apiURL: String?
    /// Forge users who may start a fork's pull request with `/sluice run` (on GitHub the
    /// repository's owners, members and collaborators may too).
    var maintainers: [String]
    /// How each environment is protected: the only source of promotion policy. Empty: versions
    /// are registered and promoted nowhere.
    public var environments: [EnvironmentPolicy]
    /// Gate rules every candidate of this project must pass as well as its spec's own.
    public var gate: [GateRule]
    /// Whether trusted steps may use the network (untrusted ones never can).
    public var network: Bool

    public init(
        name: String,
        forge: ForgeKind,
        repo: String,
        webhookSecret: Secret? = nil,
        signingSecret: Secret? = nil,
        token: Secret? = nil,
        branches: [String]? = nil,
        models: [String]? = nil,
        stepSecrets: [String: Secret] = [:],
        apiURL: String? = nil,
        maintainers: [String] = [],
        environments: [EnvironmentPolicy] = [],
        gate: [GateRule] = [],
        network: Bool = true
    ) {
        self.name = name
        self.forge = forge
        self.repo = repo
        self.webhookSecret = webhookSecret
        self.signingSecret = signingSecret
        self.token = token
        self.stepSecrets = stepSecrets
        self.branches = branches
        self.models = models ?? [name]
        self.apiURL = apiURL
        self.maintainers = maintainers
        self.environments = environments
        self.gate = gate
        self.network = network
    }

    /// The policy of the environment named `name`, if the project has one.
    public func environment(named name: String) -> EnvironmentPolicy? {
        environments.first { $0.name == name }
    }

    /// Whether a push to `branch` (a branch name like `release/1.2`, not `refs/heads/...`)
    /// concerns this project.
    public func watches(branch: String) -> Bool {
        guard let branches else { return true }
        return branches.contains { GlobPattern($0).matches(branch) }
    }
}
