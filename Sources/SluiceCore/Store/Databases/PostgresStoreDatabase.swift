import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The store on a PostgreSQL server, which several `sluice serve` replicas share.
///
/// postgres-nio's `PostgresClient` keeps the connection pool. A transaction leases one connection
/// and runs its body on a thread of this database's own pool, each statement one round trip that
/// the thread waits for: the store's bodies stay synchronous, as SQLite's are, and a slow
/// database stalls only these threads, never Swift's cooperative pool or the git work on NIO's.
///
/// Every write transaction first takes one transaction-scoped advisory lock, so writes from all
/// replicas take turns exactly as SQLite's single writer makes them: each audit entry is numbered
/// and hashed after the one before it, so the chain's writers could not run side by side anyway,
/// and every compare-and-set the store does (claiming a trigger, deciding a promotion) stays one.
/// Reads run in `REPEATABLE READ` transactions, one snapshot each, and never wait for writers.
final class PostgresStoreDatabase: StoreDatabase {
    /// Connections (and threads) per replica: three replicas stay well within PostgreSQL's
    /// default `max_connections` of 100.
    static let connections = 10

    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let threads: NIOThreadPool
    private let logger: Logger
    private let location: PostgresLocation
    private let waitLimit: Duration

    /// Connects to `location`, applies every migration under a lock and returns the database.
    ///
    /// A transaction waits up to `waitLimit` for a connection (the server may be down) and then
    /// for the write lock (another replica may hold it), then fails: an unreachable database makes
    /// the server answer 503 at once, so a forge retries the delivery later.
    static func connect(
        _ location: PostgresLocation, logger: Logger, waitLimit: Duration = .seconds(5)
    ) async throws -> PostgresStoreDatabase {
        let database = PostgresStoreDatabase(location, logger: logger, waitLimit: waitLimit)
        try await database.migrate()
        return database
    }

    private init(_ location: PostgresLocation, logger: Logger, waitLimit: Duration) {
        var configuration = location.clientConfiguration
        configuration.options.maximumConnections = Self.connections
        configuration.options.connectTimeout = waitLimit
        let milliseconds = waitLimit.components.seconds * 1000 + waitLimit.components.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters = [("lock_timeout", "\(milliseconds)")]
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.location = location
        self.waitLimit = waitLimit
        runner = Task { await client.run() }
        threads = NIOThreadPool(numberOfThreads: Self.connections)
        threads.start()
    }

    deinit {
        runner.cancel()
        threads.shutdownGracefully { _ in }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", lock: nil, body)
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T {
        try await transaction("BEGIN", lock: .writes, body)
    }

    /// Answers within two seconds: false while the server is unreachable, true again once it is back
    /// (the client reconnects by itself) and has every migration this version knows.
    func isReady() async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                let applied = try? await self.read { session in
                    Set(try session.values(String.self, "SELECT identifier FROM \(StoreMigrations.postgresTable)"))
                }
                return applied.map { $0.isSuperset(of: StoreMigrations.identifiers) } ?? false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return false
            }
            let ready = await group.next() ?? false
            group.cancelAll()
            return ready
        }
    }

    /// Holds a session-level advisory lock on `key` on one leased connection while `body` runs. It
    /// tries without waiting and rests on `clock` between tries, so a lock held for a long push
    /// neither trips `lock_timeout` nor holds a thread. Should the connection drop meanwhile, the
    /// server releases the lock: what it serialises must stay correct without it (deploy commits
    /// carry their promotion's trailer, so a second writer finds its commit already there).
    func exclusively<T: Sendable>(
        _ key: Int64, clock: any WallClock, _ body: @escaping @Sendable () async -> T
    ) async throws -> T {
        let logger = logger
        return try await withConnection { connection in
            func call(_ function: String) async throws -> Bool {
                var bindings = PostgresBindings()
                bindings.append(key)
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT \(function)($1)", binds: bindings), logger: logger
                ).collect()
                return try rows.first?.decode(Bool.self) ?? false
            }
            while try await !call("pg_try_advisory_lock") {
                try await clock.sleep(for: FileLock.retryInterval)
            }
            let result = await body()
            _ = try? await call("pg_advisory_unlock")
            return result
        }
    }

    /// Creates the migrations table if needed and applies, in one transaction under a lock of their
    /// own, the migrations not yet recorded there; a migration it does not know stops it.
    private func migrate() async throws {
        try await transaction("BEGIN", lock: .migrations) { session in
            try session.execute(
                """
                CREATE TABLE IF NOT EXISTS \(StoreMigrations.postgresTable) (
                    identifier TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL DEFAULT extract(epoch FROM now()))
                """)
            let applied = Set(try session.values(String.self, "SELECT identifier FROM \(StoreMigrations.postgresTable)"))
            if let unknown = applied.subtracting(StoreMigrations.identifiers).min() {
                throw StoreMigrations.NewerSchema(identifier: unknown)
            }
            for migration in StoreMigrations.all where !applied.contains(migration.identifier) {
                for statement in migration.postgres {
                    try session.execute(statement)
                }
                try session.execute("INSERT INTO \(StoreMigrations.postgresTable) (identifier) VALUES (?)", [migration.identifier])
            }
        }
    }

    private func transaction<T: Sendable>(
        _ begin: String, lock: AdvisoryLock?, _ body: @escaping @Sendable (any StoreConnection) throws -> T
    ) async throws -> T {
        let logger = logger
        let threads = threads
        return try await withConnection { connection in
            try await threads.runIfActive {
                let session = PostgresSession(connection: connection, logger: logger)
                do {
                    try session.begin(begin, locking: lock?.rawValue)
                    let result = try body(session)
                    try session.execute("COMMIT")
                    return result
                } catch {
                    _ = try? session.execute("ROLLBACK")
                    throw error
                }
            }
        }
    }

    /// Leases a connection for `body`, waiting at most `waitLimit` for one. A wait that runs out
    /// fails before `body` starts, never while it runs: a transaction that began is seen through.
    private func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let start = FirstClaim()
        let client = client
        let waitLimit = waitLimit
        let unreachable = PostgresFailure(description: "PostgreSQL at \(location) gave no connection within \(waitLimit)")
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    guard start.claim() else { throw CancellationError() }
                    return try await body(connection)
                }
            }
            group.addTask {
                try? await Task.sleep(for: waitLimit)
                if start.claim() { throw unreachable }
                return nil
            }
            while let result = try await group.next() {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            preconditionFailure("a connection's body neither returned nor threw")
        }
    }

    /// Whichever of a lease and its deadline claims first wins; the other gives up.
    private final class FirstClaim: Sendable {
        private let claimed = Mutex(false)

        func claim() -> Bool {
            claimed.withLock { claimed in
                defer { claimed = true }
                return !claimed
            }
        }
    }

    /// The advisory locks the store takes, by a fixed key each.
    enum AdvisoryLock: Int64 {
        /// Held by the replica applying migrations.
        case migrations = 0x736c_7569_6365_0001
        /// Held by every write transaction until it ends.
        case writes = 0x736c_7569_6365_0002
    }
}

/// A leased connection inside a transaction, used from one of the database's threads.
private struct PostgresSession: StoreConnection {
    let connection: PostgresConnection
    let logger: Logger

    @discardableResult
    func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        try run(sql, arguments).rows.map { row in
            SQLRow(try row.map { cell in (cell.columnName, try Self.value(cell)) })
        }
    }

    /// Opens the transaction with `begin` and takes the advisory lock `key` in it. Both are sent
    /// before either is waited for: the connection sends the second the moment the first
    /// answers, so the lock is taken without this thread waking in between.
    func begin(_ begin: String, locking key: Int64?) throws {
        do {
            let opened = connection.query(PostgresQuery(unsafeSQL: begin), logger: logger)
            let locked = key.map { key in
                var bindings = PostgresBindings()
                bindings.append(key)
                return connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock($1)", binds: bindings), logger: logger)
            }
            _ = try opened.wait()
            _ = try locked?.wait()
        } catch let error as PSQLError {
            throw PostgresFailure(error)
        }
    }

    private func run(_ sql: String, _ arguments: SQLArguments) throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: arguments.values.count)
        for value in arguments.values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text): bindings.append(text)
            case .boolean(let boolean): bindings.append(boolean)
            }
        }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: Self.numberedPlaceholders(sql), binds: bindings), logger: logger)
                .wait()
        } catch let error as PSQLError {
            throw PostgresFailure(error)
        }
    }

    /// The store writes `?`; PostgreSQL numbers its parameters `$1`, `$2`, … (a `?` inside quotes
    /// is text, not a parameter).
    static func numberedPlaceholders(_ sql: String) -> String {
        guard sql.contains("?") else { return sql }
        var numbered = ""
        var parameter = 0
        var quote: Character?
        for character in sql {
            switch (character, quote) {
            case ("?", nil):
                parameter += 1
                numbered += "$\(parameter)"
                continue
            case ("'", nil), ("\"", nil): quote = character
            case (let closing, let open?) where closing == open: quote = nil
            default: break
            }
            numbered.append(character)
        }
        return numbered
    }

    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .boolean(try cell.decode(Bool.self))
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// What PostgreSQL said went wrong, in its own words (postgres-nio's error hides them from its
/// description, lest a value in them leak into a log; the store's statements bind their values).
struct PostgresFailure: Error, CustomStringConvertible {
    let description: String

    init(description: String) {
        self.description = description
    }

    init(_ error: PSQLError) {
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            description = "PostgreSQL: \(message)\(state)"
        } else {
            description = "PostgreSQL: \(error.code)"
        }
    }
}
