import Curl
import Foundation

/// GitLab's REST API (v4): commit statuses as external jobs on `/projects/:id/statuses/:sha`,
/// the merge-request comment as a note. `:id` is the URL-encoded project path.
struct GitLabForge: Forge {
    /// GitLab's note limit is 1,000,000 characters.
    static let maxCommentLength = 1_000_000

    var maxCommentLength: Int { Self.maxCommentLength }

    let api: ForgeAPI
    /// `group%2Fproject`.
    let projectID: String

    /// - Parameters:
    ///   - apiURL: `https://gitlab.com/api/v4`, or the same path on a self-managed host.
    ///   - projectPath: `group/project` (subgroups included).
    init(apiURL: String, projectPath: String, token: Secret, http: HTTPClient) {
        api = ForgeAPI(
            http: http, baseURL: GitHubForge.trimmed(apiURL),
            headers: [HTTPHeader(name: "PRIVATE-TOKEN", value: token.revealed, isSecret: true)], name: "GitLab")
        projectID = projectPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_", "."]))
            ?? projectPath
    }

    func setStatus(_ status: CommitStatus, of commit: String) async throws(ForgeError) {
        var body = ["state": Self.state(status.state), "description": status.description, "name": status.context]
        body["target_url"] = status.targetURL
        // GitLab answers 400 "Cannot transition status" when the job is already in that state:
        // the status is as asked, so that is success.
        try await api.send(.post, "/projects/\(projectID)/statuses/\(commit)", json: body) { response in
            response.status == 400 && ForgeAPI.message(in: response)?.contains("Cannot transition status") == true
        }
    }

    func upsertComment(_ body: String, marker: String, onPullRequest number: Int) async throws(ForgeError) {
        let notes = "/projects/\(projectID)/merge_requests/\(number)/notes"
        if let id = try await api.comment(containing: marker, listedAt: notes) {
            try await api.send(.put, "\(notes)/\(id)", json: ["body": body])
        } else {
            try await api.send(.post, notes, json: ["body": body])
        }
    }

    func addComment(_ body: String, onPullRequest number: Int) async throws(ForgeError) {
        try await api.send(.post, "/projects/\(projectID)/merge_requests/\(number)/notes", json: ["body": body])
    }

    /// GitLab's states: a failure or an error is `failed`.
    static func state(_ state: CommitStatus.State) -> String {
        switch state {
        case .pending: "pending"
        case .running: "running"
        case .success: "success"
        case .failure, .error: "failed"
        }
    }
}
