import Curl
import Foundation

/// GitHub's REST API: statuses on `/repos/{owner}/{repo}/statuses/{sha}`, the pull-request
/// comment through the issues API (a pull request is an issue there).
///
/// For a fork's pull request the status goes on the base repository with the head commit,
/// which is what GitHub shows on the pull request.
struct GitHubForge: Forge {
    /// GitHub refuses a longer comment body with 422.
    static let maxCommentLength = 65_536

    var maxCommentLength: Int { Self.maxCommentLength }

    let api: ForgeAPI
    /// `owner/repo`.
    let repository: String

    /// - Parameters:
    ///   - apiURL: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise.
    ///   - repository: `owner/repo`.
    init(apiURL: String, repository: String, token: Secret, http: HTTPClient) {
        api = ForgeAPI(
            http: http, baseURL: Self.trimmed(apiURL),
            headers: [
                HTTPHeader(name: "Authorization", value: "Bearer \(token.revealed)", isSecret: true),
                HTTPHeader("Accept", "application/vnd.github+json"),
                HTTPHeader("X-GitHub-Api-Version", "2022-11-28"),
            ],
            name: "GitHub")
        self.repository = repository
    }

    func setStatus(_ status: CommitStatus, of commit: String) async throws(ForgeError) {
        var body = ["state": Self.state(status.state), "description": status.description, "context": status.context]
        body["target_url"] = status.targetURL
        try await api.send(.post, "/repos/\(repository)/statuses/\(commit)", json: body)
    }

    func upsertComment(_ body: String, marker: String, onPullRequest number: Int) async throws(ForgeError) {
        let issue = "/repos/\(repository)/issues/\(number)/comments"
        if let id = try await api.comment(containing: marker, listedAt: issue) {
            try await api.send(.patch, "/repos/\(repository)/issues/comments/\(id)", json: ["body": body])
        } else {
            try await api.send(.post, issue, json: ["body": body])
        }
    }

    func addComment(_ body: String, onPullRequest number: Int) async throws(ForgeError) {
        try await api.send(.post, "/repos/\(repository)/issues/\(number)/comments", json: ["body": body])
    }

    /// GitHub has no running state: a run in progress is `pending` there.
    static func state(_ state: CommitStatus.State) -> String {
        state == .running ? "pending" : state.rawValue
    }

    static func trimmed(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
