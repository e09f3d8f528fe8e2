import Foundation

extension Store {
    /// Records that step `name` of `run` started.
    func startStep(_ run: Run.ID, name: String, command: String) async throws(StoreError) {
        let date = clock.now
        return try await write("record step \(name) of \(run)") { db in
            try db.execute(
                """
                INSERT INTO run_steps (run_id, name, command, started_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (run_id, name) DO UPDATE SET
                    command = excluded.command, started_at = excluded.started_at, ended_at = NULL, outcome = NULL,
                    succeeded = NULL
                """,
                [run.rawValue, name, command, date.timeIntervalSince1970])
        }
    }

    /// Records how step `name` of `run` ended.
    func finishStep(_ run: Run.ID, name: String, result: StepResult) async throws(StoreError) {
        try await write("record the end of step \(name) of \(run)") { db in
            try db.execute(
                "UPDATE run_steps SET started_at = ?, ended_at = ?, outcome = ?, succeeded = ? WHERE run_id = ? AND name = ?",
                [
                    result.startedAt.timeIntervalSince1970, result.endedAt.timeIntervalSince1970,
                    result.termination.summary, result.succeeded, run.rawValue, name,
                ])
        }
    }

    /// The steps of `run` in the order they started.
    public func steps(of run: Run.ID) async throws(StoreError) -> [RunStep] {
        try await read("read the steps of \(run)") { db in
            try db.rows("SELECT * FROM run_steps WHERE run_id = ? ORDER BY started_at, name", [run.rawValue]
            ).map(Self.step)
        }
    }

    /// The steps that ended after `date`, oldest end first: how `/metrics` feeds its step
    /// duration histograms, asking from the last end it saw.
    public func stepsEnded(after date: Date) async throws(StoreError) -> [RunStep] {
        try await read("read finished steps") { db in
            try db.rows("SELECT * FROM run_steps WHERE ended_at > ? ORDER BY ended_at", [date.timeIntervalSince1970]
            ).map(Self.step)
        }
    }

    private static func step(_ row: SQLRow) -> RunStep {
        RunStep(
            name: row["name"], command: row["command"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
            endedAt: (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:)), outcome: row["outcome"],
            succeeded: row["succeeded"])
    }
}
