import SluiceCore

/// Who a request is from, as its credential says.
public enum Caller: Sendable {
    /// A person: an API token of `auth.tokens_env`, or the web UI session it was exchanged for.
    case person(Person)
    /// The holder of `metrics.token_env`, which opens `/metrics` only.
    case metricsScraper
    /// The holder of `auth.artifact_token_env` (a cluster's storage initializer), which opens
    /// artifact downloads only.
    case artifactReader

    /// A person and what they may do.
    public struct Person: Sendable {
        /// The token's name: the person's forge login.
        public let login: String
        public let role: APIRole
        /// How they authenticated: a bearer token, or a browser session with the CSRF token its
        /// forms must carry back.
        public let credential: Credential
    }

    public enum Credential: Sendable {
        case token
        case session(csrf: String)
    }

    var person: Person? {
        if case .person(let person) = self { return person }
        return nil
    }
}
