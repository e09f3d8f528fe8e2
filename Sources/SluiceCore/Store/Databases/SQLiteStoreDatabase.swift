import Foundation
import GRDB

/// The store in one SQLite file in `state_dir`, opened through GRDB: the embedded default.
///
/// WAL mode (GRDB's `DatabasePool`: one writer, concurrent readers), foreign keys on, a busy
/// timeout for the rare lock held by another process (`sluice audit verify` reading while
/// `serve` writes), and `synchronous = FULL`, so a transaction that returned has reached the
/// disk: an acknowledged delivery survives a crash of the process or of the machine. GRDB's async
/// methods run the blocking SQLite work on its own queues, never on Swift's cooperative pool.
final class SQLiteStoreDatabase: StoreDatabase {
    /// The database file name inside `state_dir`.
    static let fileName = "sluice.sqlite"

    let pool: DatabasePool

    /// Opens (creating if needed) the database in `stateDirectory` and applies every migration.
    /// A statement waits up to `lockTimeout` for a lock another process holds, then fails.
    init(stateDirectory: URL, lockTimeout: Duration) throws {
        // Only the server's user reads the store, mirrors, runs and artifacts.
        try FileManager.default.createDirectory(
            at: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(lockTimeout / .seconds(1))
        pool = try DatabasePool(path: stateDirectory.appendingPathComponent(Self.fileName).path, configuration: configuration)
        // Only the writer connection writes, and GRDB sets it to NORMAL after any
        // `prepareDatabase` hook when it enables WAL, so FULL is set here, once it is open.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let migrator = StoreMigrations.sqliteMigrator
        if let unknown = try pool.read({ db in try migrator.appliedIdentifiers(db).subtracting(StoreMigrations.identifiers) }).min() {
            throw StoreMigrations.NewerSchema(identifier: unknown)
        }
        try migrator.migrate(pool)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
        try await pool.read { db in try body(SQLiteConnection(db: db)) }
    }

    /// Runs a read on the calling thread: for opening the store, before anything is async.
    func readNow<T>(_ body: (any StoreConnection) throws -> T) throws -> T {
        try pool.read { db in try body(SQLiteConnection(db: db)) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
        try await pool.write { db in try body(SQLiteConnection(db: db)) }
    }

    /// Only processes on this machine share the file, and what they share beside it (the deploy
    /// repository's clone) has a file lock of its own.
    func exclusively<T: Sendable>(
        _ key: Int64, clock: any WallClock, _ body: @escaping @Sendable () async -> T
    ) async throws -> T {
        await body()
    }

    func isReady() async -> Bool {
        do {
            return try await pool.read { db in try StoreMigrations.sqliteMigrator.hasCompletedMigrations(db) }
        } catch {
            return false
        }
    }
}

/// A GRDB connection inside one of its transactions.
private struct SQLiteConnection: StoreConnection {
    /// Statements with at most this many parameters are compiled once and kept by their text.
    /// Longer ones are a batch's multi-row insert or `IN (…)` list, whose text changes with the
    /// batch's size: kept, they would grow GRDB's cache for as long as the server runs.
    static let cachedParameters = 32

    let db: Database

    func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        try statement(sql, arguments).execute(arguments: Self.bind(arguments))
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        try Row.fetchAll(statement(sql, arguments), arguments: Self.bind(arguments)).map { row in
            SQLRow(zip(row.columnNames, row.databaseValues).map { name, value in (name, Self.value(value)) })
        }
    }

    private func statement(_ sql: String, _ arguments: SQLArguments) throws -> Statement {
        arguments.values.count <= Self.cachedParameters ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }

    private static func bind(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(
            arguments.values.map { value -> DatabaseValue in
                switch value {
                case .null: .null
                case .integer(let integer): integer.databaseValue
                case .real(let real): real.databaseValue
                case .text(let text): text.databaseValue
                case .boolean(let boolean): boolean.databaseValue
                }
            })
    }

    private static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        // The store writes no blobs; one read back is shown as its bytes' text.
        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
        }
    }
}
