import Curl
import Foundation

extension ProjectConfig {
    /// The forge this project reports to; nil for a generic project, one without a token, and
    /// one whose clone URL names no repository path on a forge.
    public func forge(http: HTTPClient) -> (any Forge)? {
        guard let token, let location = forgeLocation else { return nil }
        switch forge {
        case .github: return GitHubForge(apiURL: location.apiURL, repository: location.path, token: token, http: http)
        case .gitlab: return GitLabForge(apiURL: location.apiURL, projectPath: location.path, token: token, http: http)
        case .generic: return nil
        }
    }

    /// Where the forge's API is and the repository's path there (`acme/churn`), read from the
    /// clone URL: `https://HOST/acme/churn.git`, `ssh://git@HOST/acme/churn.git` or
    /// `git@HOST:acme/churn.git`. `api_url` overrides the derived API address.
    var forgeLocation: (apiURL: String, path: String)? {
        guard let (origin, path) = webLocation else { return nil }
        if let apiURL { return (apiURL, path) }
        guard let origin else { return nil }
        switch forge {
        case .github: return (origin == "https://github.com" ? "https://api.github.com" : origin + "/api/v3", path)
        case .gitlab: return (origin + "/api/v4", path)
        case .generic: return nil
        }
    }

    /// The pull request's page on the forge (GitLab: the merge request's), for links from the
    /// web UI; nil for a generic project and a clone URL that names no web host.
    public func pullRequestPage(_ number: Int) -> String? {
        guard let (origin, path) = webLocation, let origin else { return nil }
        switch forge {
        case .github: return "\(origin)/\(path)/pull/\(number)"
        case .gitlab: return "\(origin)/\(path)/-/merge_requests/\(number)"
        case .generic: return nil
        }
    }

    /// The forge's web origin (`https://HOST`; nil for a `file://` clone URL) and the
    /// repository's path there, without `.git`.
    private var webLocation: (origin: String?, path: String)? {
        let (origin, path): (String?, String)
        if let url = URL(string: repo), let scheme = url.scheme?.lowercased(), scheme != "file" || apiURL != nil {
            let web = scheme == "http" ? "http" : "https"
            origin = url.host.map { host in
                "\(web)://\(host)\(scheme.hasPrefix("http") ? url.port.map { ":\($0)" } ?? "" : "")"
            }
            path = url.path
        } else if let at = repo.firstIndex(of: "@"), let colon = repo[at...].firstIndex(of: ":") {
            origin = "https://" + repo[repo.index(after: at)..<colon]
            path = String(repo[repo.index(after: colon)...])
        } else {
            return nil
        }
        var trimmed = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if trimmed.hasSuffix(".git") { trimmed.removeLast(4) }
        return trimmed.isEmpty ? nil : (origin, trimmed)
    }
}
