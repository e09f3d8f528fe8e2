import Foundation

/// Turns a GitHub webhook delivery (`X-GitHub-Event`, `X-GitHub-Delivery`, raw body) into an
/// `IncomingDelivery`.
///
/// Call it only after `WebhookAuthentication.gitHubSignatureIsValid` accepted the body. GitHub
/// keeps the delivery GUID across redeliveries, so it is the delivery key and the dedupe key of
/// the single trigger. Events Sluice does not act on are acknowledged as ignored with a reason,
/// never refused: a 4xx would only make GitHub show the hook as failing.
public enum GitHubHook {
    /// Reads one delivery: `push`, `pull_request` and `issue_comment` can become a trigger; every
    /// other event is ignored with a reason.
    ///
    /// `project` is the registered project the hook URL names; `watchesBranch` gets a branch name
    /// without `refs/heads/` (tags are always accepted, since a release may be cut from any branch).
    /// Throws `.badHeader` for a missing event or delivery header, `.malformed` for a body that is
    /// not a JSON object, and `.missingField` with the JSON path for a field the event needs.
    public static func parse(
        event: String?, deliveryID: String?, body: Data, project: String, watchesBranch: (String) -> Bool
    ) throws(HookError) -> IncomingDelivery {
        guard let event, !event.isEmpty else {
            throw HookError(.badHeader, "X-GitHub-Event", "missing X-GitHub-Event header")
        }
        guard let deliveryID, !deliveryID.isEmpty else {
            throw HookError(.badHeader, "X-GitHub-Delivery", "missing X-GitHub-Delivery header")
        }
        let key = "github:\(deliveryID)"
        let verdict: IncomingDelivery.Verdict
        switch event {
        case "push":
            verdict = try Push.verdict(body, as: PushBody.self, project: project, key: key, watchesBranch: watchesBranch)
        case "pull_request":
            verdict = try pullRequest(body, project: project, key: key)
        case "issue_comment":
            verdict = try issueComment(body, project: project, key: key)
        case "ping":
            verdict = .ignored(reason: "ping")
        default:
            verdict = .ignored(reason: "event \(event) is not used by Sluice")
        }
        return IncomingDelivery(source: "github", project: project, event: event, deliveryKey: key, verdict: verdict)
    }

    // MARK: push

    private struct PushBody: PushPayload {
        struct Pusher: Decodable { var name: String? }
        struct Sender: Decodable { var login: String? }
        struct Person: Decodable { var username: String? }
        struct HeadCommit: Decodable { var author: Person? }
        var ref: String
        var before: String
        var after: String
        var created: Bool
        var deleted: Bool
        var forced: Bool
        var pusher: Pusher?
        /// The authenticated account that pushed; `pusher.name` is its login too, on github.com.
        var sender: Sender?
        var head_commit: HeadCommit?

        func push(project: String, refKind: Push.RefKind) -> Push {
            Push(
                project: project, ref: ref, refKind: refKind, before: before, after: after,
                created: created, deleted: deleted, forced: forced,
                pusher: sender?.login ?? pusher?.name, headAuthor: head_commit?.author?.username)
        }
    }

    // MARK: pull_request

    private struct PullRequestBody: Decodable {
        struct Repository: Decodable {
            var full_name: String
        }
        struct Branch: Decodable {
            var sha: String
            var ref: String
            // Present but null when the head's fork was deleted.
            var repo: Repository?
        }
        struct BaseBranch: Decodable {
            var ref: String
            var repo: Repository
        }
        struct User: Decodable { var login: String }
        struct Inner: Decodable {
            var head: Branch
            var base: BaseBranch
            var merged: Bool?
            var merge_commit_sha: String?
            var user: User?
        }
        var action: String
        var number: Int
        var before: String?
        var pull_request: Inner
    }

    private static func pullRequest(_ body: Data, project: String, key: String) throws(HookError)
        -> IncomingDelivery.Verdict
    {
        let payload = try HookJSON.decode(PullRequestBody.self, from: body)
        let pr = payload.pull_request
        let action: PullRequest.Action
        switch payload.action {
        case "opened": action = .opened
        case "synchronize": action = .synchronized
        case "reopened": action = .reopened
        case "closed": action = pr.merged == true ? .merged : .closed
        default:
            return .ignored(reason: "pull_request action \(payload.action) does not change the code under test")
        }
        let isFork = pr.head.repo.map { $0.full_name != pr.base.repo.full_name } ?? true
        let trigger = PullRequest(
            project: project, number: payload.number, action: action, headSHA: pr.head.sha, headRef: pr.head.ref,
            baseRef: pr.base.ref, previousHeadSHA: action == .synchronized ? payload.before : nil,
            mergeCommitSHA: action == .merged ? pr.merge_commit_sha : nil, isFork: isFork, author: pr.user?.login)
        return .accepted([KeyedTrigger(.pullRequest(trigger), dedupeKey: key)])
    }

    // MARK: issue_comment

    private struct IssueCommentBody: Decodable {
        struct Marker: Decodable {}
        struct Issue: Decodable {
            var number: Int
            var pull_request: Marker?
        }
        struct User: Decodable { var login: String }
        struct Comment: Decodable {
            var body: String
            var user: User
            var author_association: String?
        }
        var action: String
        var issue: Issue
        var comment: Comment
    }

    private static func issueComment(_ body: Data, project: String, key: String) throws(HookError)
        -> IncomingDelivery.Verdict
    {
        let payload = try HookJSON.decode(IssueCommentBody.self, from: body)
        guard payload.action == "created" else {
            return .ignored(reason: "comment \(payload.action); only new comments carry commands")
        }
        guard payload.issue.pull_request != nil else {
            return .ignored(reason: "comment on issue #\(payload.issue.number), not a pull request")
        }
        switch CommentCommand.parse(commentBody: payload.comment.body) {
        case .none(let reason):
            return .ignored(reason: reason)
        case .command(let verb, let environment):
            let command = CommentCommand(
                project: project, number: payload.issue.number, verb: verb, environment: environment,
                commenter: payload.comment.user.login, authorAssociation: payload.comment.author_association)
            return .accepted([KeyedTrigger(.command(command), dedupeKey: key)])
        }
    }
}
