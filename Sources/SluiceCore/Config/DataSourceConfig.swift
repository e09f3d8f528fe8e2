/// A sender allowed to POST `/hooks/data/{name}`, with the format it posts and its credential.
///
/// The name is in the URL, so the credential is known before the body is parsed.
public struct DataSourceConfig: Sendable {
    public var name: String
    public var kind: DataSourceKind
    public var credential: DataSourceCredential
}
