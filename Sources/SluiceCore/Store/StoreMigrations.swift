import GRDB

/// The store's schema, as an ordered list of migrations. Later features append migrations; an
/// applied migration is never edited.
enum StoreMigrations {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: deliveries and triggers") { db in
            try db.create(table: "deliveries") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("source", .text).notNull()
                table.column("project", .text)
                table.column("event", .text).notNull()
                // Unix seconds: GRDB's text dates cost a DateFormatter per write on the ingest path.
                table.column("received_at", .double).notNull()
                table.column("outcome", .text).notNull()
                    .check { ["accepted", "ignored", "duplicate"].contains($0) }
                table.column("reason", .text)
                // The sender's id; NULL on duplicates, so only the original holds it.
                table.column("dedupe_key", .text).unique()
                table.column("duplicate_of", .integer).references("deliveries")
            }
            try db.create(table: "triggers") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("delivery_id", .integer).notNull().references("deliveries").indexed()
                table.column("kind", .text).notNull()
                table.column("project", .text)
                table.column("dedupe_key", .text).notNull().unique()
                table.column("payload", .jsonText).notNull()
                table.column("state", .text).notNull().defaults(to: "queued")
                table.column("created_at", .double).notNull()
            }
            try db.create(index: "triggers_by_state", on: "triggers", columns: ["state", "id"])
        }
        migrator.registerMigration("v2: runs") { db in
            try db.create(table: "runs") { table in
                defineRunColumns(
                    table, states: ["running", "passed", "gate_failed", "failed", "error", "skipped", "cancelled"],
                    indexingTriggers: false)
            }
            try db.create(index: "runs_by_cache_key", on: "runs", columns: ["cache_key", "state"])
        }
        migrator.registerMigration("v3: audit") { db in
            // No AUTOINCREMENT: `AuditLog.append` numbers entries itself, last + 1, so they are gapless.
            try db.create(table: "audit_log") { table in
                table.primaryKey("sequence", .integer)
                // Unix milliseconds, an integer, so the hashed value reads back exactly.
                table.column("at_ms", .integer).notNull()
                table.column("actor", .text).notNull()
                table.column("action", .text).notNull()
                table.column("subject", .text).notNull()
                // A canonical JSON object of strings (see `CanonicalJSON`), hashed as stored.
                table.column("details", .text).notNull()
                table.column("previous_hash", .text).notNull()
                table.column("hash", .text).notNull()
            }
            // Refuse edits made through SQL; `Store.verifyAudit` catches those made around it.
            for statement in ["UPDATE", "DELETE"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER audit_log_refuses_\(statement.lowercased()) BEFORE \(statement) ON audit_log
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                        """)
            }
        }
        migrator.registerMigration("v4: registry") { db in
            try db.alter(table: "runs") { table in table.add(column: "spec_digest", .text) }
            try db.create(table: "model_versions") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("model", .text).notNull()
                table.column("number", .integer).notNull()
                table.uniqueKey(["model", "number"])
                table.column("run_id", .integer).notNull().unique().references("runs")
                table.column("artifact_digest", .text).notNull()
                table.column("branch", .text)
                table.column("sluice_version", .text).notNull()
                table.column("registered_at", .double).notNull()
            }
            // Enforced here, not only by callers: nothing registers a model whose gate did not pass.
            try db.execute(
                sql: """
                    CREATE TRIGGER model_versions_need_a_passed_gate BEFORE INSERT ON model_versions
                    WHEN (SELECT state FROM runs WHERE id = NEW.run_id) IS NOT 'passed'
                    BEGIN SELECT RAISE(ABORT, 'only a run whose gate passed can be registered'); END
                    """)
            try db.create(table: "environment_history") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("model", .text).notNull()
                table.column("environment", .text).notNull()
                table.column("from_version", .integer)
                table.column("to_version", .integer)
                table.column("actor", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("at", .double).notNull()
            }
            try db.create(
                index: "environment_history_by_alias", on: "environment_history", columns: ["model", "environment", "id"])
        }
        migrator.registerMigration("v5: promotions") { db in
            try db.create(table: "promotions") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("model", .text).notNull()
                table.column("version", .integer).notNull()
                table.column("environment", .text).notNull()
                table.column("state", .text).notNull()
                    .check { ["pending_approval", "approved", "applied", "rejected", "superseded", "failed"].contains($0) }
                table.column("requested_by", .text).notNull()
                table.column("required_approvals", .integer).notNull()
                table.column("approvers", .jsonText).notNull()
                table.column("author", .text)
                table.column("allow_self_approval", .boolean).notNull()
                table.column("reason", .text)
                table.column("deploy_commit", .text)
                table.column("requested_at", .double).notNull()
                table.column("updated_at", .double).notNull()
            }
            try db.create(table: "promotion_approvals") { table in
                table.column("promotion_id", .integer).notNull().references("promotions")
                table.column("approver", .text).notNull()
                table.column("at", .double).notNull()
                table.primaryKey(["promotion_id", "approver"])
            }
        }
        migrator.registerMigration("v6: pins") { db in
            try db.create(table: "pins") { table in
                table.column("model", .text).notNull()
                table.column("environment", .text).notNull()
                table.column("pinned_by", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("at", .double).notNull()
                table.primaryKey(["model", "environment"])
            }
        }
        migrator.registerMigration("v7: installation and rollbacks") { db in
            // Why a release manager rolled the environment back; NULL for an ordinary promotion.
            try db.alter(table: "promotions") { table in table.add(column: "rollback_reason", .text) }
            // A random name for this store, so the deploy repository can tell its promotions from
            // those of another Sluice that writes there too (their promotion numbers collide).
            try db.create(table: "installation") { table in
                table.column("id", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO installation (id) VALUES (lower(hex(randomblob(8))))")
        }
        migrator.registerMigration("v8: trigger outcomes") { db in
            // A trigger is queued, then claimed by the part of the server that carries it out,
            // then done or refused, with why.
            try db.alter(table: "triggers") { table in
                table.add(column: "finished_at", .double)
                table.add(column: "outcome", .text)
            }
        }
        migrator.registerMigration("v9: scheduling") { db in
            // SQLite cannot change a CHECK constraint, so `runs` is rebuilt to allow `superseded`
            // (SQLite's documented procedure; GRDB turns foreign keys off until the migration
            // ends, then checks them). The trigger on model_versions names `runs`, so it goes
            // first and comes back last.
            try db.execute(sql: "DROP TRIGGER model_versions_need_a_passed_gate")
            try db.create(table: "new_runs") { table in
                defineRunColumns(
                    table,
                    states: ["running", "passed", "gate_failed", "failed", "error", "skipped", "cancelled", "superseded"],
                    indexingTriggers: true)
                table.column("spec_digest", .text)
                // Why the last report to the forge failed; the run itself is not affected.
                table.column("report_problem", .text)
            }
            let columns = """
                id, project, trigger_id, repository, commit_id, state, reason, model, cache_key, cached_from,
                data_versions, metrics, gate_report, artifact_digest, artifact_path, started_at, finished_at, spec_digest
                """
            try db.execute(sql: "INSERT INTO new_runs (\(columns)) SELECT \(columns) FROM runs")
            try db.drop(table: "runs")
            try db.rename(table: "new_runs", to: "runs")
            try db.create(index: "runs_by_cache_key", on: "runs", columns: ["cache_key", "state"])
            try db.execute(
                sql: """
                    CREATE TRIGGER model_versions_need_a_passed_gate BEFORE INSERT ON model_versions
                    WHEN (SELECT state FROM runs WHERE id = NEW.run_id) IS NOT 'passed'
                    BEGIN SELECT RAISE(ABORT, 'only a run whose gate passed can be registered'); END
                    """)
            // The scheduler's claims: a lane (one branch of one project, one pull request) in
            // which a newer trigger supersedes older ones, a lease the claimer renews while its
            // run goes on, and how often the trigger was claimed, so a run that kills its
            // server is tried once more, not forever.
            try db.alter(table: "triggers") { table in
                table.add(column: "lane", .text)
                table.add(column: "lease_expires_at", .double)
                table.add(column: "attempts", .integer).notNull().defaults(to: 0)
            }
            try db.create(index: "triggers_by_lane", on: "triggers", columns: ["lane", "id"])
            // Each step of a run as it starts and ends, for the run's page and the step-duration
            // histograms.
            try db.create(table: "run_steps") { table in
                table.column("run_id", .integer).notNull().references("runs")
                table.column("name", .text).notNull()
                table.column("command", .text).notNull()
                table.column("started_at", .double).notNull()
                table.column("ended_at", .double)
                table.column("outcome", .text)
                table.column("succeeded", .boolean)
                table.primaryKey(["run_id", "name"])
            }
        }
        migrator.registerMigration("v10: trust") { db in
            // The branch a run's commit was pushed to: "unchanged since the last trained commit"
            // is judged per branch, so the merge of a gated pull request is not skipped.
            try db.alter(table: "runs") { table in table.add(column: "branch", .text) }
            try db.create(index: "runs_by_branch", on: "runs", columns: ["project", "branch", "id"])
            // Who brought a version (forge logins of its pushers and authors), and the pull request
            // whose merge it is, with that pull request's gated run: its lineage and who may not
            // approve it.
            try db.alter(table: "model_versions") { table in
                table.add(column: "brought_by", .jsonText).notNull().defaults(to: "[]")
                table.add(column: "pull_request", .integer)
                table.add(column: "pull_request_run", .integer).references("runs")
            }
            try db.alter(table: "promotions") { table in
                table.add(column: "brought_by", .jsonText).notNull().defaults(to: "[]")
            }
            // An engineer's cancel of a queued or running trigger, for the scheduler to carry out.
            try db.alter(table: "triggers") { table in table.add(column: "cancel_requested_by", .text) }
        }
        migrator.registerMigration("v11: python environments") { db in
            // The Python environment a run's steps ran in (JSON), part of a version's lineage.
            try db.alter(table: "runs") { table in table.add(column: "environment", .jsonText) }
        }
        migrator.registerMigration("v12: promotion revisions") { db in
            // Counts a promotion's writes: a decision is written only on the revision it was made on.
            try db.alter(table: "promotions") { table in table.add(column: "revision", .integer).notNull().defaults(to: 0) }
        }
        return migrator
    }()

    /// The columns `runs` has had since v2, written once for v2 and for v9's rebuild of the table.
    /// Frozen like the migrations that call it: an applied migration must keep its schema.
    private static func defineRunColumns(_ table: TableDefinition, states: [String], indexingTriggers: Bool) {
        table.autoIncrementedPrimaryKey("id")
        // NULL for `sluice run` on a local repository.
        table.column("project", .text)
        let trigger = table.column("trigger_id", .integer).references("triggers")
        if indexingTriggers { trigger.indexed() }
        table.column("repository", .text).notNull()
        table.column("commit_id", .text).notNull()
        table.column("state", .text).notNull().check { states.contains($0) }
        table.column("reason", .text)
        table.column("model", .text)
        table.column("cache_key", .text)
        table.column("cached_from", .integer).references("runs")
        table.column("data_versions", .jsonText)
        table.column("metrics", .jsonText)
        table.column("gate_report", .jsonText)
        table.column("artifact_digest", .text)
        table.column("artifact_path", .text)
        table.column("started_at", .double).notNull()
        table.column("finished_at", .double)
    }
}
