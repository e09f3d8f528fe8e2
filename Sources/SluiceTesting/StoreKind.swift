import SluiceCore

/// The two databases the store runs on, for the tests that must hold on both.
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// Where a new, empty store of this kind lives: SQLite in `scratch`, or a database of its own
    /// on the process's throwaway PostgreSQL server (with `scratch` for what stays local).
    public func location(in scratch: ScratchDirectory) throws -> StoreLocation {
        switch self {
        case .sqlite: StoreLocation(stateDirectory: scratch.url)
        case .postgres: StoreLocation(stateDirectory: scratch.url, postgres: try PostgresServer.shared().makeDatabase())
        }
    }

    /// A new, empty store of this kind.
    public func open(in scratch: ScratchDirectory, clock: any WallClock = SystemClock()) async throws -> Store {
        try await Store.open(location(in: scratch), clock: clock)
    }
}
