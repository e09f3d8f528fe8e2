import Foundation
import GRDB

/// Sluice's durable state: one SQLite file in `state_dir`, opened through GRDB.
///
/// WAL mode (GRDB's `DatabasePool`: one writer, concurrent readers), foreign keys on, a busy
/// timeout for the rare lock held by another process (`sluice deliveries` reading while `serve`
/// writes), and `synchronous = FULL`, so a transaction that returned has reached the disk: an
/// acknowledged delivery survives a crash of the process or of the machine. GRDB's async methods
/// run the blocking SQLite work on its own queues, never on Swift's cooperative pool.
public final class Store: Sendable {
    /// The database file name inside `state_dir`.
    public static let fileName = "sluice.sqlite"

    let pool: DatabasePool
    let deliveryCommits: GroupCommit<DeliveryReceipt>
    /// This store's random name (16 hex digits), made by its first migration to v7 and never
    /// changed: promotion commits carry it, so a promotion number means one promotion anywhere.
    let installationID: String
    /// Where every timestamp the store writes comes from.
    let clock: any WallClock

    /// Opens (creating if needed) the database in `stateDirectory` and applies every migration.
    /// A statement waits up to `lockTimeout` for a lock another process holds, then fails.
    public init(
        stateDirectory: URL, clock: any WallClock = SystemClock(), lockTimeout: Duration = .seconds(5)
    ) throws(StoreError) {
        self.clock = clock
        do {
            // Only the server's user reads the store, mirrors, runs and artifacts.
            try FileManager.default.createDirectory(
                at: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            configuration.busyMode = .timeout(lockTimeout / .seconds(1))
            pool = try DatabasePool(
                path: stateDirectory.appendingPathComponent(Self.fileName).path, configuration: configuration)
            // Only the writer connection writes, and GRDB sets it to NORMAL after any
            // `prepareDatabase` hook when it enables WAL, so FULL is set here, once it is open.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try StoreMigrations.migrator.migrate(pool)
            installationID = try pool.read { db in try String.fetchOne(db, sql: "SELECT id FROM installation") } ?? ""
            deliveryCommits = GroupCommit(pool: pool)
        } catch {
            throw StoreError(operation: "open the store in \(stateDirectory.path)", underlying: error)
        }
    }

    /// Whether the store answers and every known migration has been applied (for `/readyz`).
    public func isReady() async -> Bool {
        do {
            return try await pool.read { db in try StoreMigrations.migrator.hasCompletedMigrations(db) }
        } catch {
            return false
        }
    }

    /// Runs a read, mapping failures to `StoreError`.
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StoreError(operation: operation, underlying: error)
        }
    }

    /// Runs a write in its own transaction, mapping failures to `StoreError`. Deliveries go
    /// through `deliveryCommits` instead, which commits concurrent writes together.
    func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw StoreError(operation: operation, underlying: error)
        }
    }
}
