import Foundation

/// The GitOps repository Sluice commits rendered manifests to.
///
/// Without it Sluice gates and registers but writes no manifests. `path` is a template with
/// `{environment}` and `{model}`; it is checked to stay inside the repository (relative, no `..`),
/// and the values substituted in are model and environment names, which cannot contain `/`.
public struct DeployConfig: Sendable {
    public static let defaultBranch = "main"
    public static let defaultPath = "environments/{environment}/{model}.yaml"
    public static let defaultUsername = "x-access-token"
    /// The kinds a promotion may write when `allowed_kinds` is not set: what the shipped
    /// templates render, and nothing cluster-scoped.
    public static let defaultAllowedKinds = ["InferenceService", "Deployment", "Service", "ConfigMap"]

    public var repo: String
    public var branch: String
    public var path: String
    /// The token pushes authenticate with, from `token_env`.
    public var token: Secret?
    /// The user name sent with the token. GitHub and GitLab accept any with an access token;
    /// a GitLab deploy token needs its own user name.
    public var username: String
    /// The Kubernetes kinds a promotion may write (`allowed_kinds`); anything else fails it.
    var allowedKinds: [String]

    public init(
        repo: String, branch: String = defaultBranch, path: String = defaultPath, token: Secret? = nil,
        username: String = defaultUsername, allowedKinds: [String] = defaultAllowedKinds
    ) {
        self.repo = repo
        self.branch = branch
        self.path = path
        self.token = token
        self.username = username
        self.allowedKinds = allowedKinds
    }

    /// The manifest's path inside the deploy repository for one model in one environment.
    public func manifestPath(environment: String, model: String) -> String {
        path.replacingOccurrences(of: "{environment}", with: environment)
            .replacingOccurrences(of: "{model}", with: model)
    }
}
