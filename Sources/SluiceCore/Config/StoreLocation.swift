import Foundation

/// Where the store keeps its rows: on the PostgreSQL server `postgres` when the config names one
/// (`store.url_env`), else in SQLite in `stateDirectory`. Mirrors, run folders and local artifacts
/// stay in `stateDirectory` either way.
public struct StoreLocation: Sendable {
    public var stateDirectory: URL
    public var postgres: PostgresLocation?

    public init(stateDirectory: URL, postgres: PostgresLocation? = nil) {
        self.stateDirectory = stateDirectory
        self.postgres = postgres
    }
}
