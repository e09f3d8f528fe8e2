/// Who may call the API, the web UI and the CLI against this server.
///
/// Tokens live in one environment variable (`auth.tokens_env`) so that rotating them is a
/// restart with a new environment, not a config edit. Each token's name is its holder's forge
/// login, so a decision made with it, in the web UI or in a `/sluice approve` comment is the
/// same person's. Without `auth`, reads and run triggers are open to anyone who can reach
/// `listen` (only sensible on loopback; the server warns when it starts) and nobody can decide a
/// promotion except by a comment from a listed approver.
public struct AuthConfig: Sendable {
    /// The variable the tokens came from, for messages (never the tokens themselves).
    public var tokensVariable: String
    var tokens: [APIToken]
    /// The read-only token of `auth.artifact_token_env`, which clusters present to download
    /// artifacts and which opens nothing else.
    public var artifactToken: Secret?

    public init(tokensVariable: String, tokens: [APIToken], artifactToken: Secret? = nil) {
        self.tokensVariable = tokensVariable
        self.tokens = tokens
        self.artifactToken = artifactToken
    }

    /// The entry whose token equals the presented one. Every entry is compared, each in constant
    /// time, so the time taken says nothing about which tokens exist.
    public func token(matching presented: some StringProtocol) -> APIToken? {
        var found: APIToken?
        for entry in tokens where entry.token.isEqual(toPresented: presented) && found == nil {
            found = entry
        }
        return found
    }

    /// The logins holding a release-manager or admin token: who may decide promotions to an
    /// environment that lists no approvers of its own.
    public var releaseManagers: Set<String> {
        Set(tokens.filter { $0.role >= .releaseManager }.map { $0.name.lowercased() })
    }
}
