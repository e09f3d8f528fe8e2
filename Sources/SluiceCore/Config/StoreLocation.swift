import Foundation

/// Where the store keeps its rows: on the PostgreSQL server `postgres` when the config names one
/// (`store.url_env`), else in SQLite in `stateDirectory`; and its artifact blobs, in
/// `artifactsDirectory` (`artifacts.path`). Mirrors and run folders stay in `stateDirectory`.
public struct StoreLocation: Sendable {
    public var stateDirectory: URL
    public var postgres: PostgresLocation?
    public var artifactsDirectory: URL

    public init(stateDirectory: URL, postgres: PostgresLocation? = nil, artifactsDirectory: URL? = nil) {
        self.stateDirectory = stateDirectory
        self.postgres = postgres
        self.artifactsDirectory = artifactsDirectory ?? Self.defaultArtifactsDirectory(in: stateDirectory)
    }

    /// `state_dir/artifacts`, where artifacts are kept unless `artifacts.path` says otherwise.
    public static func defaultArtifactsDirectory(in stateDirectory: URL) -> URL {
        stateDirectory.appending(path: "artifacts", directoryHint: .isDirectory)
    }
}
