import Crypto
import Foundation
import Logging

/// Sluice's durable state: deliveries, the trigger queue, runs, the registry, promotions and the
/// audit chain, kept in SQLite in `state_dir` or on a PostgreSQL server that replicas share.
///
/// Every query is written once, against ``StoreConnection``; ``StoreDatabase`` says how each
/// database runs it. The store is persistence only: what to write is decided by the rules above it.
public final class Store: Sendable {
    /// The SQLite database's file name inside `state_dir`.
    public static var fileName: String { SQLiteStoreDatabase.fileName }

    let database: any StoreDatabase
    let deliveryCommits: GroupCommit<DeliveryArrival, DeliveryReceipt>
    /// This store's random name (16 hex digits), made by its first migration to v7 and never
    /// changed: promotion commits carry it, so a promotion number means one promotion anywhere.
    let installationID: String
    /// Where every timestamp the store writes comes from.
    let clock: any WallClock

    private init(database: any StoreDatabase, installationID: String, clock: any WallClock) {
        self.database = database
        self.installationID = installationID
        self.clock = clock
        deliveryCommits = GroupCommit(database: database, commit: Store.record)
    }

    /// Opens (creating if needed) the SQLite store in `stateDirectory` and applies every migration.
    /// A statement waits up to `lockTimeout` for a lock another process holds, then fails.
    public convenience init(
        stateDirectory: URL, clock: any WallClock = SystemClock(), lockTimeout: Duration = .seconds(5)
    ) throws(StoreError) {
        do {
            let database = try SQLiteStoreDatabase(stateDirectory: stateDirectory, lockTimeout: lockTimeout)
            let installationID = try database.readNow(Self.installationID)
            self.init(database: database, installationID: installationID, clock: clock)
        } catch {
            throw StoreError(operation: "open the store in \(stateDirectory.path)", underlying: error)
        }
    }

    /// Opens the store where `location` says: on its PostgreSQL server (connecting, and applying
    /// every migration under a lock), else in SQLite in its state directory. An operation waits up
    /// to `lockTimeout` for what another process holds (SQLite's lock; PostgreSQL's connections
    /// and write lock), then fails.
    public static func open(
        _ location: StoreLocation, clock: any WallClock = SystemClock(), lockTimeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "sluice.store")
    ) async throws(StoreError) -> Store {
        guard let postgres = location.postgres else {
            return try Store(stateDirectory: location.stateDirectory, clock: clock, lockTimeout: lockTimeout)
        }
        do {
            let database = try await PostgresStoreDatabase.connect(postgres, logger: logger, waitLimit: lockTimeout)
            let installationID = try await database.read(Self.installationID)
            return Store(database: database, installationID: installationID, clock: clock)
        } catch {
            throw StoreError(operation: "open the store on \(postgres)", underlying: error)
        }
    }

    private static func installationID(_ db: any StoreConnection) throws -> String {
        try db.value(String.self, "SELECT id FROM installation") ?? ""
    }

    /// Whether the database answers and every known migration has been applied (for `/readyz`).
    public func isReady() async -> Bool {
        await database.isReady()
    }

    /// Runs `body` while no other replica sharing this store runs one under the same `name` (on
    /// SQLite, only processes of one machine share it, and it runs `body` at once).
    public func exclusively<T: Sendable>(
        _ name: String, _ body: @escaping @Sendable () async -> T
    ) async throws(StoreError) -> T {
        let key = SHA256.hash(data: Data(name.utf8)).prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
        do {
            return try await database.exclusively(key, clock: clock, body)
        } catch {
            throw StoreError(operation: "take the lock on \(name)", underlying: error)
        }
    }

    /// Runs a read, mapping failures to `StoreError`.
    func read<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (any StoreConnection) throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await database.read(body)
        } catch {
            throw StoreError(operation: operation, underlying: error)
        }
    }

    /// Runs a write in its own transaction, mapping failures to `StoreError`. Deliveries go
    /// through `deliveryCommits` instead, which commits concurrent writes together.
    @discardableResult
    func write<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (any StoreConnection) throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await database.write(body)
        } catch {
            throw StoreError(operation: operation, underlying: error)
        }
    }
}
