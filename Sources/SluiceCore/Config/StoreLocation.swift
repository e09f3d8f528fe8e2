import Foundation

/// Where the store keeps its rows: on the PostgreSQL server `postgres` when the config names one
/// (`store.url_env`), else in SQLite in `stateDirectory`; and its artifact blobs: in
/// `artifactsDirectory` (`artifacts.path`), or in the bucket `artifactBucket` (`artifacts.s3`) with
/// `artifactsDirectory` as this machine's cache of it. Mirrors and run folders stay in `stateDirectory`.
public struct StoreLocation: Sendable {
    public var stateDirectory: URL
    public var postgres: PostgresLocation?
    public var artifactsDirectory: URL
    public var artifactBucket: S3Location?

    public init(
        stateDirectory: URL, postgres: PostgresLocation? = nil, artifactsDirectory: URL? = nil,
        artifactBucket: S3Location? = nil
    ) {
        self.stateDirectory = stateDirectory
        self.postgres = postgres
        self.artifactsDirectory = artifactsDirectory ?? Self.defaultArtifactsDirectory(in: stateDirectory)
        self.artifactBucket = artifactBucket
    }

    /// `state_dir/artifacts`, where artifacts are kept (or, with `artifacts.s3`, cached) unless
    /// `artifacts.path` says otherwise.
    public static func defaultArtifactsDirectory(in stateDirectory: URL) -> URL {
        stateDirectory.appending(path: "artifacts", directoryHint: .isDirectory)
    }
}
