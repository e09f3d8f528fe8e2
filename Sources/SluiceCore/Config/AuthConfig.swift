/// Who may call the JSON API and the CLI against this server.
///
/// Tokens live in one environment variable (`auth.tokens_env`) so that rotating them is a
/// restart with a new environment, not a config edit. Without `auth`, the API is open to anyone
/// who can reach `listen`, which is only sensible on loopback; the server warns when it starts.
public struct AuthConfig: Sendable {
    /// The variable the tokens came from, for messages (never the tokens themselves).
    public var tokensVariable: String
    public var tokens: [APIToken]

    public init(tokensVariable: String, tokens: [APIToken]) {
        self.tokensVariable = tokensVariable
        self.tokens = tokens
    }

    /// The entry whose token equals the presented one, compared in constant time per entry.
    public func token(matching presented: some StringProtocol) -> APIToken? {
        var found: APIToken?
        for entry in tokens where entry.token.isEqual(toPresented: presented) && found == nil {
            found = entry
        }
        return found
    }
}
