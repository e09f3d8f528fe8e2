import Crypto
import Foundation

/// Turns a GitLab webhook delivery (`X-Gitlab-Event`, its delivery ids, raw body) into an
/// `IncomingDelivery`.
///
/// Call it only after the `X-Gitlab-Token` or the signing token was verified. The delivery key is
/// `Idempotency-Key` (GitLab 17.4+, kept across retries and *Resend Request*), else
/// `X-Gitlab-Event-UUID` (14.8+), else the body's SHA-256, so a retry of an old GitLab is still
/// caught. GitLab auto-disables a hook for good after repeated 4xx, so events Sluice does not act
/// on are ignored with a reason rather than refused.
///
/// GitLab's push hook has no `forced` flag (ancestry must be asked of the API), so `forced` is
/// always false. In merge request hooks `author` is `user.username`, the user who caused the
/// event: GitLab names the author only by id.
public enum GitLabHook {
    /// Reads one delivery: `Push Hook`, `Tag Push Hook`, `Merge Request Hook` and `Note Hook` can
    /// become a trigger; every other event is ignored with a reason.
    ///
    /// `idempotencyKey` and `eventUUID` are the `Idempotency-Key` and `X-Gitlab-Event-UUID` headers.
    /// Throws `.badHeader` for a missing `X-Gitlab-Event`, `.malformed` for a body that is not a
    /// JSON object, and `.missingField` with the JSON path for a field the event needs.
    public static func parse(
        event: String?, idempotencyKey: String?, eventUUID: String?, body: Data, project: String,
        watchesBranch: (String) -> Bool
    ) throws(HookError) -> IncomingDelivery {
        guard let event, !event.isEmpty else {
            throw HookError(.badHeader, "X-Gitlab-Event", "missing X-Gitlab-Event header")
        }
        let key: String
        if let idempotencyKey, !idempotencyKey.isEmpty {
            key = "gitlab:\(idempotencyKey)"
        } else if let eventUUID, !eventUUID.isEmpty {
            key = "gitlab:\(eventUUID)"
        } else {
            key = "gitlab:sha256:\(Hex.encode(SHA256.hash(data: body)))"
        }
        let verdict: IncomingDelivery.Verdict
        switch event {
        case "Push Hook", "Tag Push Hook":
            verdict = try Push.verdict(body, as: PushBody.self, project: project, key: key, watchesBranch: watchesBranch)
        case "Merge Request Hook":
            verdict = try mergeRequest(body, project: project, key: key)
        case "Note Hook":
            verdict = try note(body, project: project, key: key)
        default:
            verdict = .ignored(reason: "event \(event) is not used by Sluice")
        }
        return IncomingDelivery(source: "gitlab", project: project, event: event, deliveryKey: key, verdict: verdict)
    }

    // MARK: Push Hook, Tag Push Hook

    private struct PushBody: PushPayload {
        var ref: String
        var before: String
        var after: String
        var user_username: String?

        func push(project: String, refKind: Push.RefKind) -> Push {
            Push(
                project: project, ref: ref, refKind: refKind, before: before, after: after,
                created: before == Push.zeroCommit, deleted: after == Push.zeroCommit, forced: false,
                pusher: user_username)
        }
    }

    // MARK: Merge Request Hook

    private struct MergeRequestBody: Decodable {
        struct User: Decodable { var username: String? }
        struct Commit: Decodable { var id: String }
        struct Attributes: Decodable {
            var iid: Int
            var action: String
            var source_branch: String
            var target_branch: String
            var source_project_id: Int
            var target_project_id: Int
            var last_commit: Commit
            var oldrev: String?
            var merge_commit_sha: String?
        }
        var user: User?
        var object_attributes: Attributes
    }

    private static func mergeRequest(_ body: Data, project: String, key: String) throws(HookError)
        -> IncomingDelivery.Verdict
    {
        let payload = try HookJSON.decode(MergeRequestBody.self, from: body)
        let attributes = payload.object_attributes
        let action: PullRequest.Action
        switch attributes.action {
        case "open": action = .opened
        case "reopen": action = .reopened
        case "update":
            guard let oldrev = attributes.oldrev, !oldrev.isEmpty else {
                return .ignored(reason: "merge request update without new commits (no oldrev)")
            }
            action = .synchronized
        case "merge": action = .merged
        case "close": action = .closed
        default:
            return .ignored(
                reason: "merge request action \(attributes.action) does not change the code under test")
        }
        let trigger = PullRequest(
            project: project, number: attributes.iid, action: action, headSHA: attributes.last_commit.id,
            headRef: attributes.source_branch, baseRef: attributes.target_branch,
            previousHeadSHA: action == .synchronized ? attributes.oldrev : nil,
            mergeCommitSHA: action == .merged ? attributes.merge_commit_sha : nil,
            isFork: attributes.source_project_id != attributes.target_project_id, author: payload.user?.username)
        return .accepted([KeyedTrigger(.pullRequest(trigger), dedupeKey: key)])
    }

    // MARK: Note Hook

    private struct NoteBody: Decodable {
        struct User: Decodable { var username: String }
        struct Attributes: Decodable {
            var note: String
            var noteable_type: String
            var action: String?
        }
        struct MergeRequest: Decodable { var iid: Int }
        var user: User
        var object_attributes: Attributes
        var merge_request: MergeRequest?
    }

    private static func note(_ body: Data, project: String, key: String) throws(HookError)
        -> IncomingDelivery.Verdict
    {
        let payload = try HookJSON.decode(NoteBody.self, from: body)
        let attributes = payload.object_attributes
        guard attributes.noteable_type == "MergeRequest" else {
            return .ignored(reason: "comment on a \(attributes.noteable_type), not a merge request")
        }
        if let action = attributes.action, action != "create" {
            return .ignored(reason: "comment \(action); only new comments carry commands")
        }
        switch CommentCommand.parse(commentBody: attributes.note) {
        case .none(let reason):
            return .ignored(reason: reason)
        case .command(let verb, let environment):
            guard let mergeRequest = payload.merge_request else {
                throw HookJSON.missing("merge_request.iid")
            }
            let command = CommentCommand(
                project: project, number: mergeRequest.iid, verb: verb, environment: environment,
                commenter: payload.user.username, authorAssociation: nil)
            return .accepted([KeyedTrigger(.command(command), dedupeKey: key)])
        }
    }
}
