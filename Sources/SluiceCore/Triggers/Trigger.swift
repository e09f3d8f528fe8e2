/// What a delivery means to Sluice, normalised across forges and sources: the unit the scheduler
/// queues. Stored as JSON beside its delivery, so every case is `Codable`.
public enum Trigger: Sendable, Hashable, Codable {
    case push(Push)
    case pullRequest(PullRequest)
    case command(CommentCommand)
    case dataArrival(DataArrival)
    case alert(Alert)
    case manual(ManualRun)

    /// The kind, as stored and shown: `push`, `pull_request`, `command`, `data_arrival`, `alert`,
    /// `manual`.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case push
        case pullRequest = "pull_request"
        case command
        case dataArrival = "data_arrival"
        case alert
        case manual
    }

    public var kind: Kind {
        switch self {
        case .push: .push
        case .pullRequest: .pullRequest
        case .command: .command
        case .dataArrival: .dataArrival
        case .alert: .alert
        case .manual: .manual
        }
    }

    /// The registered project the trigger is for; nil for a data arrival, whose subscribers are
    /// the projects whose pipeline specs read that dataset.
    public var project: String? {
        switch self {
        case .push(let push): push.project
        case .pullRequest(let pullRequest): pullRequest.project
        case .command(let command): command.project
        case .dataArrival: nil
        case .alert(let alert): alert.project
        case .manual(let run): run.project
        }
    }

    /// The pull request (GitLab: merge request) the trigger is about: its event, or the comment
    /// command posted on it.
    public var pullRequestNumber: Int? {
        switch self {
        case .pullRequest(let pullRequest): pullRequest.number
        case .command(let command): command.number
        case .push, .dataArrival, .alert, .manual: nil
        }
    }

    /// Where a newer trigger supersedes the older ones still queued or running: one branch of
    /// one project for pushes, one pull request for its new heads; nil for triggers that never
    /// replace each other (comments, data arrivals, alerts, tags, an engineer's runs).
    var lane: String? {
        switch self {
        case .push(let push): push.refKind == .branch ? "push \(push.project) \(push.ref)" : nil
        case .pullRequest(let pullRequest): Self.lane(ofPullRequest: pullRequest.number, in: pullRequest.project)
        case .command, .dataArrival, .alert, .manual: nil
        }
    }

    /// The lane of pull request `number` of `project`.
    static func lane(ofPullRequest number: Int, in project: String) -> String {
        "pull_request \(project) #\(number)"
    }
}
