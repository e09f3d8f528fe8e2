/// How a data source proves a notification came from it: exactly one of the two.
///
/// S3 and GCS push endpoints can only add a static bearer token; Sluice's own senders sign the
/// body with HMAC, which also protects against a replayed or altered payload.
public enum DataSourceCredential: Sendable, CustomStringConvertible {
    /// `Authorization: Bearer <token>`, from `bearer_token_env`.
    case bearerToken(Secret)
    /// An HMAC-SHA256 signature of the body, keyed with the secret from `hmac_secret_env`.
    case hmacSecret(Secret)

    /// The secret either way, for the redactor that keeps it out of step output.
    public var secret: Secret {
        switch self {
        case .bearerToken(let secret), .hmacSecret(let secret): secret
        }
    }

    public var description: String {
        switch self {
        case .bearerToken: "bearer token <redacted>"
        case .hmacSecret: "HMAC secret <redacted>"
        }
    }
}
