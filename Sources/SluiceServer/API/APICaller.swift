import SluiceCore

/// Who is calling the API: the `auth.tokens_env` entry whose token the request bears.
enum APICaller {
    /// The matching token's entry, or nil. Every token is compared, in constant time, so the time
    /// taken says nothing about which tokens exist.
    static func identify(_ authorization: String?, in auth: AuthConfig) -> APIToken? {
        var caller: APIToken?
        for entry in auth.tokens
        where WebhookAuthentication.bearerMatches(authorization: authorization, token: entry.token.revealed) {
            caller = caller ?? entry
        }
        return caller
    }
}
