@testable import SluiceCore
import SluiceTesting

/// What tests write behind the store's back, in each database's own SQL: the edits an attacker
/// with the database's password could make, which the store must still catch.
extension StoreKind {
    /// Where the database records the migrations it applied.
    var migrationsTable: String {
        switch self {
        case .sqlite: "grdb_migrations"
        case .postgres: StoreMigrations.postgresTable
        }
    }

    /// Removes the guards that refuse `UPDATE` and `DELETE` on the audit log.
    var dropAuditGuards: [String] {
        switch self {
        case .sqlite: ["DROP TRIGGER audit_log_refuses_update", "DROP TRIGGER audit_log_refuses_delete"]
        case .postgres: ["ALTER TABLE audit_log DISABLE TRIGGER audit_log_refuses_edits"]
        }
    }

    /// Makes every insert into the audit log fail with "refused for the test".
    var refuseAuditInserts: [String] {
        switch self {
        case .sqlite:
            ["CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"]
        case .postgres:
            [
                "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$",
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
            ]
        }
    }
}

extension Store {
    /// Runs `statements` in one write transaction, as a test's raw SQL.
    func execute(_ statements: [String]) async throws {
        try await database.write { db in
            for statement in statements {
                try db.execute(statement)
            }
        }
    }

    /// Runs one statement with `arguments` in a write transaction of its own.
    func execute(_ statement: String, _ arguments: SQLArguments) async throws {
        try await database.write { db in try db.execute(statement, arguments) }
    }
}
