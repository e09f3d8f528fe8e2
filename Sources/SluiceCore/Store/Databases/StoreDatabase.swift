import Foundation

/// The database a ``Store`` keeps its rows in: SQLite in `state_dir` (``SQLiteStoreDatabase``), or
/// a PostgreSQL server that several replicas share (``PostgresStoreDatabase``).
///
/// The store's SQL is written once, in what both understand: `?` placeholders, `RETURNING`,
/// `ON CONFLICT`, no SQLite-only functions. Transactions run a synchronous body on one
/// connection, so a body reads and writes exactly as it would in SQLite, whatever the database.
protocol StoreDatabase: Sendable {
    /// Runs `body` in a read-only transaction that sees one snapshot of the database.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T

    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    /// Writes are serialised with every other write to the database, from any process: the audit
    /// chain numbers each entry after the last one, so its writers take turns by design.
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T

    /// Whether the database answers and has every migration applied (for `/readyz`).
    func isReady() async -> Bool

    /// Runs `body` while no other process sharing this database runs a body under the same `key`,
    /// waiting on `clock` between tries while one does.
    func exclusively<T: Sendable>(
        _ key: Int64, clock: any WallClock, _ body: @escaping @Sendable () async -> T
    ) async throws -> T
}

/// One connection inside a transaction of a ``StoreDatabase``.
protocol StoreConnection {
    /// Runs one statement and returns how many rows it inserted, changed or deleted.
    @discardableResult
    func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int

    /// Runs one query and returns its rows.
    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow]
}

extension StoreConnection {
    @discardableResult
    func execute(_ sql: String) throws -> Int { try execute(sql, []) }

    func rows(_ sql: String) throws -> [SQLRow] { try rows(sql, []) }

    /// Runs an `INSERT` into a table with an `id` column and returns the id of the row it inserted.
    func insert(_ sql: String, _ arguments: SQLArguments) throws -> Int64 {
        guard let id = try value(Int64.self, sql + " RETURNING id", arguments) else {
            preconditionFailure("an INSERT ... RETURNING id returned no id")
        }
        return id
    }

    /// Inserts `rows` (one value per column each) into `table` with one statement per 500 rows:
    /// on PostgreSQL every statement is a round trip.
    func insert(into table: String, _ columns: [String], _ rows: [[(any SQLValueConvertible)?]]) throws {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        for start in stride(from: 0, to: rows.count, by: 500) {
            let chunk = rows[start..<min(start + 500, rows.count)]
            try execute(
                "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                    + Array(repeating: row, count: chunk.count).joined(separator: ", "),
                SQLArguments(chunk.flatMap { $0 }))
        }
    }

    /// The first row of a query, if any.
    func row(_ sql: String, _ arguments: SQLArguments = []) throws -> SQLRow? { try rows(sql, arguments).first }

    /// The first column of the first row of a query; nil when there is no row or it is NULL.
    func value<T: SQLValueConvertible>(_ type: T.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> T? {
        try rows(sql, arguments).first?.first.flatMap(T.init(sqlValue:))
    }

    /// The first column of every row of a query, skipping NULLs.
    func values<T: SQLValueConvertible>(_ type: T.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> [T] {
        try rows(sql, arguments).compactMap { $0.first.flatMap(T.init(sqlValue:)) }
    }
}

/// A value as the store reads and writes it.
enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// SQLite keeps it as 0 or 1; PostgreSQL as `boolean`.
    case boolean(Bool)
}

/// A Swift value the store can bind as a parameter and read back from a column.
protocol SQLValueConvertible: Sendable {
    var sqlValue: SQLValue { get }
    /// Nil when `sqlValue` is NULL or of another kind.
    init?(sqlValue: SQLValue)
}

extension Int64: SQLValueConvertible {
    var sqlValue: SQLValue { .integer(self) }
    init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Int: SQLValueConvertible {
    var sqlValue: SQLValue { .integer(Int64(self)) }
    init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self.init(value)
    }
}

extension Double: SQLValueConvertible {
    var sqlValue: SQLValue { .real(self) }
    /// An integer reads as a double too: SQLite stores a whole REAL as an integer when it can.
    init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self.init(value)
        default: return nil
        }
    }
}

extension String: SQLValueConvertible {
    var sqlValue: SQLValue { .text(self) }
    init?(sqlValue: SQLValue) {
        guard case .text(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Bool: SQLValueConvertible {
    var sqlValue: SQLValue { .boolean(self) }
    init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .boolean(let value): self = value
        case .integer(let value): self = value != 0
        default: return nil
        }
    }
}

/// A digest is stored as its text, `sha256:<hex>` (and read from bare hex too, as earlier
/// releases stored cache keys).
extension Digest: SQLValueConvertible {
    var sqlValue: SQLValue { .text(description) }
    init?(sqlValue: SQLValue) {
        guard let text = String(sqlValue: sqlValue), let digest = Digest(stored: text) else { return nil }
        self = digest
    }
}

/// A statement's parameters, in the order of its `?` placeholders; `nil` binds NULL.
struct SQLArguments: Sendable, ExpressibleByArrayLiteral {
    let values: [SQLValue]

    init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        self.init(elements)
    }

    init(_ elements: [(any SQLValueConvertible)?]) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    init(_ elements: some Sequence<some SQLValueConvertible>) {
        values = elements.map(\.sqlValue)
    }

    private init(values: [SQLValue]) {
        self.values = values
    }

    /// These values, then `more`'s.
    func appending(_ more: SQLArguments) -> SQLArguments {
        SQLArguments(values: values + more.values)
    }

    /// `?, ?, ?`: a placeholder for each value, as in `IN (…)`.
    var placeholders: String { Array(repeating: "?", count: values.count).joined(separator: ", ") }
}

/// One row of a query's result, by column name (the first column of a name wins).
struct SQLRow: Sendable {
    private let columns: [String: SQLValue]
    /// The row's first column, for single-value queries.
    let first: SQLValue?

    init(_ columns: [(name: String, value: SQLValue)]) {
        self.columns = Dictionary(columns.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        first = columns.first?.value
    }

    /// The raw value of `column`; NULL when the row has no such column.
    func value(_ column: String) -> SQLValue { columns[column] ?? .null }

    /// The value of `column`, nil when it is NULL.
    subscript<T: SQLValueConvertible>(_ column: String) -> T? { T(sqlValue: value(column)) }

    /// The value of `column`, which the schema declares NOT NULL: anything else is a broken store.
    subscript<T: SQLValueConvertible>(_ column: String) -> T {
        guard let value = T(sqlValue: value(column)) else {
            preconditionFailure("column \(column) holds \(value(column)), not a \(T.self)")
        }
        return value
    }
}
