/// A forge Sluice reports back to: the commit status of a run, one gate comment per pull request
/// that later runs edit, and a reply to each comment command.
///
/// Two implementations, `GitHubForge` and `GitLabForge`, each speaking its forge's REST API
/// through `Curl`; transient failures (5xx, 429, dropped connections) are retried with backoff
/// by the HTTP client, and what still fails is thrown as a `ForgeError` without the token.
public protocol Forge: Sendable {
    /// The longest comment body the forge accepts, in characters.
    var maxCommentLength: Int { get }

    /// Creates or updates the status `status.context` of `commit`.
    func setStatus(_ status: CommitStatus, of commit: String) async throws(ForgeError)

    /// Makes `body` the text of Sluice's comment on pull request `number`: edits the comment
    /// whose body contains `marker`, or adds one when there is none yet.
    func upsertComment(_ body: String, marker: String, onPullRequest number: Int) async throws(ForgeError)

    /// Adds a new comment `body` to pull request `number`.
    func addComment(_ body: String, onPullRequest number: Int) async throws(ForgeError)
}
