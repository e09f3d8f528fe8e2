import Foundation

/// The GitOps repository Sluice commits rendered manifests to.
///
/// Without it Sluice gates and registers but writes no manifests. `path` is a template with
/// `{environment}` and `{model}`; it is checked to stay inside the repository (relative, no `..`),
/// and the values substituted in are model and environment names, which cannot contain `/`.
public struct DeployConfig: Sendable {
    public static let defaultBranch = "main"
    public static let defaultPath = "environments/{environment}/{model}.yaml"

    public var repo: String
    public var branch: String
    public var path: String
    public var token: Secret?

    public init(repo: String, branch: String = defaultBranch, path: String = defaultPath, token: Secret? = nil) {
        self.repo = repo
        self.branch = branch
        self.path = path
        self.token = token
    }

    /// The manifest's path inside the deploy repository for one model in one environment.
    public func manifestPath(environment: String, model: String) -> String {
        path.replacingOccurrences(of: "{environment}", with: environment)
            .replacingOccurrences(of: "{model}", with: model)
    }
}
