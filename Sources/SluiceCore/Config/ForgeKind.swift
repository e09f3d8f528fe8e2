/// Which forge hosts a project: it decides the webhook route, signature check and status API.
///
/// `generic` is any git host Sluice can clone but not talk back to: no webhooks are verified for
/// it and no commit status is posted, so runs start from the CLI, the API or data events.
public enum ForgeKind: String, Sendable, Hashable, CaseIterable {
    case github
    case gitlab
    case generic
}
