import SluiceCore

/// Who may call a route. Every route is added under exactly one, through
/// ``AccessControl/routes(_:)``, so none can be added without deciding.
enum Access: Sendable, Hashable, CustomStringConvertible {
    /// Anyone: health, the webhooks (which check their own signatures), the sign-in page and the
    /// web UI's stylesheet and script.
    case open
    /// An API route for people holding at least this role: an API token as a bearer, or, for
    /// reads only, a web UI session (the pages' script follows logs with it).
    case api(APIRole)
    /// A web UI page for people holding at least this role; others are sent to sign in.
    case page(APIRole)
    /// `/metrics`: the metrics token, an allowed address, or any person.
    case metrics
    /// Artifact downloads: the artifact token, or any person.
    case artifacts

    var description: String {
        switch self {
        case .open: "open"
        case .api(let role): "api(\(role.rawValue))"
        case .page(let role): "page(\(role.rawValue))"
        case .metrics: "metrics"
        case .artifacts: "artifacts"
        }
    }
}
