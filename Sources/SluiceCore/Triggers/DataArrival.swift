/// A new version of a data object that a configured dataset matches.
public struct DataArrival: Sendable, Hashable, Codable {
    /// The data source (from the server config) that reported it.
    public var source: String
    /// The dataset (from the server config) whose `match` pattern the URI matched.
    public var dataset: String
    /// The object's URI, `s3://bucket/key`, `gs://bucket/name` or as the sender gave it.
    public var uri: String
    /// The version identity: S3 `versionId` (or `etag:sequencer` on unversioned buckets), GCS
    /// `generation`, or the `version` of Sluice's own format. Same object version, same string.
    public var version: String
    /// The bytes' digest, when the sender gave it (Sluice's own format).
    public var sha256: Digest?
    public var size: Int?

    public init(source: String, dataset: String, uri: String, version: String, sha256: Digest?, size: Int?) {
        self.source = source
        self.dataset = dataset
        self.uri = uri
        self.version = version
        self.sha256 = sha256
        self.size = size
    }
}
