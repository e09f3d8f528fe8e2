/// What a delivery means to Sluice, normalised across forges and sources: the unit the scheduler
/// queues. Stored as JSON beside its delivery, so every case is `Codable`.
public enum Trigger: Sendable, Hashable, Codable {
    case push(Push)
    case pullRequest(PullRequest)
    case command(CommentCommand)
    case dataArrival(DataArrival)
    case alert(Alert)

    /// The kind, as stored and shown: `push`, `pull_request`, `command`, `data_arrival`, `alert`.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case push
        case pullRequest = "pull_request"
        case command
        case dataArrival = "data_arrival"
        case alert
    }

    public var kind: Kind {
        switch self {
        case .push: .push
        case .pullRequest: .pullRequest
        case .command: .command
        case .dataArrival: .dataArrival
        case .alert: .alert
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
        }
    }
}
