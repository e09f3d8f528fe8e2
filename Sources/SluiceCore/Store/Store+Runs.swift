import Foundation

extension Store {
    /// Records a run that is starting, with its `run.started` audit entry, and returns its number.
    /// A run of a claimed trigger starts only while the claim holds.
    func startRun(
        project: String?, repository: String, commit: String, branch: String? = nil, claim: TriggerClaim? = nil
    ) async throws(StoreError) -> Run.ID {
        let date = clock.now
        return try await write("start a run") { db in
            try claim?.check(at: date.timeIntervalSince1970, in: db)
            let id = Run.ID(
                try db.insert(
                    """
                    INSERT INTO runs (project, trigger_id, trigger_attempt, repository, commit_id, branch, state, started_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'running', ?)
                    """,
                    [project, claim?.trigger, claim?.attempt, repository, commit, branch, date.timeIntervalSince1970]))
            _ = try AuditLog.append(
                Run.startNote(id, project: project, repository: repository, commit: commit, branch: branch, trigger: claim?.trigger),
                at: date, in: db)
            return id
        }
    }

    /// Records how a run ended and what it produced, with its `run.finished` audit entry and, when
    /// the gate was evaluated, a `gate.passed` or `gate.failed` one. A run of a claimed trigger
    /// ends only while the claim holds (else a takeover already ended it in `error`).
    func finishRun(
        _ id: Run.ID, claim: TriggerClaim? = nil, state: Run.State, reason: String?, conclusion: Run.Conclusion
    ) async throws(StoreError) {
        let date = clock.now
        let encoded = try Self.encode(conclusion)
        try await write("finish \(id)") { db in
            try claim?.check(at: date.timeIntervalSince1970, in: db)
            try db.execute(
                """
                UPDATE runs SET state = ?, reason = ?, model = ?, spec_digest = ?, cache_key = ?, cached_from = ?,
                    data_versions = ?, metrics = ?, gate_report = ?, artifact_digest = ?, artifact_path = ?,
                    environment = ?, finished_at = ?
                WHERE id = ?
                """,
                [
                    state.rawValue, reason, conclusion.model, conclusion.specDigest, conclusion.cacheKey, conclusion.cachedFrom?.rawValue,
                    encoded.dataVersions, encoded.metrics, encoded.gateReport, conclusion.artifactDigest,
                    conclusion.artifactPath, encoded.environment, date.timeIntervalSince1970, id.rawValue,
                ])
            for draft in Run.finishNotes(id, state: state, reason: reason, conclusion: conclusion) {
                _ = try AuditLog.append(draft, at: date, in: db)
            }
        }
    }

    /// The run with this number, if there is one.
    public func run(_ id: Run.ID) async throws(StoreError) -> Run? {
        try await read("read \(id)") { db in
            try db.row("SELECT * FROM runs WHERE id = ?", [id.rawValue]).map(Self.run)
        }
    }

    /// The most recent run with this cache key whose training can be reused, if any.
    func cachedRun(forKey key: Digest) async throws(StoreError) -> Run? {
        try await read("look up the run cache") { db in
            try db.row(
                """
                SELECT * FROM runs
                WHERE cache_key = ? AND state IN ('passed', 'gate_failed') AND artifact_path IS NOT NULL
                ORDER BY id DESC LIMIT 1
                """,
                [key]
            ).map(Self.run)
        }
    }

    /// Every artifact digest a run recorded: what artifact garbage collection must keep until the
    /// registry's versions take over that role.
    public func referencedArtifactDigests() async throws(StoreError) -> Set<Digest> {
        try await read("list artifact digests") { db in
            Set(try db.values(String.self, "SELECT DISTINCT artifact_digest FROM runs WHERE artifact_digest IS NOT NULL")
                .compactMap { Digest($0) })
        }
    }

    /// The commit of the latest run on `branch` of the project that trained a model (its steps
    /// all succeeded), if any. A cache hit counts: it stands for the training it reused. Runs of
    /// `excludedTrigger` do not: a trigger taken over from a replica that died before it
    /// registered its run trains again rather than skip what nobody registered.
    func lastTrainedCommit(
        of project: String, on branch: String, excluding excludedTrigger: Int64? = nil
    ) async throws(StoreError) -> String? {
        try await read("find the last trained commit of \(project) on \(branch)") { db in
            try db.value(
                String.self,
                """
                SELECT commit_id FROM runs
                WHERE project = ? AND branch = ? AND state IN ('passed', 'gate_failed') AND COALESCE(trigger_id, 0) <> ?
                ORDER BY id DESC LIMIT 1
                """,
                [project, branch, excludedTrigger ?? -1])
        }
    }

    /// The most recent runs, newest first.
    public func runs(limit: Int) async throws(StoreError) -> [Run] {
        try await read("list runs") { db in
            try db.rows("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]).map(Self.run)
        }
    }

    static func run(_ row: SQLRow) throws -> Run {
        let decoder = JSONDecoder()
        func decoded<T: Decodable>(_ type: T.Type, _ column: String) throws -> T? {
            guard let text = row[column] as String? else { return nil }
            return try decoder.decode(T.self, from: Data(text.utf8))
        }
        return Run(
            id: Run.ID(row["id"]), project: row["project"], triggerID: row["trigger_id"], repository: row["repository"],
            commit: row["commit_id"], branch: row["branch"],
            state: Run.State(rawValue: row["state"]) ?? .error, reason: row["reason"],
            conclusion: Run.Conclusion(
                model: row["model"], specDigest: row["spec_digest"], cacheKey: row["cache_key"], cachedFrom: (row["cached_from"] as Int64?).map(Run.ID.init(_:)),
                dataVersions: try decoded([String: Digest].self, "data_versions") ?? [:],
                metrics: try decoded(Metrics.self, "metrics"), gateReport: try decoded(GateReport.self, "gate_report"),
                artifactDigest: row["artifact_digest"], artifactPath: row["artifact_path"],
                environment: try decoded(Run.PythonEnvironmentRecord.self, "environment")),
            reportProblem: row["report_problem"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    private struct EncodedConclusion: Sendable {
        var dataVersions: String
        var metrics: String?
        var gateReport: String?
        var environment: String?
    }

    private static func encode(_ conclusion: Run.Conclusion) throws(StoreError) -> EncodedConclusion {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func text(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        do {
            return EncodedConclusion(
                dataVersions: try text(conclusion.dataVersions), metrics: try conclusion.metrics.map(text),
                gateReport: try conclusion.gateReport.map(text), environment: try conclusion.environment.map(text))
        } catch {
            throw StoreError(operation: "encode a run's results", underlying: error)
        }
    }
}
