import Foundation

extension Store {
    /// Registers a run whose gate passed as the next version of its model, or returns the version
    /// it already is. Any other run is refused, here and by the database itself; a run of a
    /// claimed trigger registers only while `claim` holds.
    public func register(
        _ runID: Run.ID, branch: String?, provenance: ModelVersion.Provenance = .init(), claim: TriggerClaim? = nil
    ) async throws(RegistryError) -> ModelVersion {
        let date = clock.now
        do {
            return try await database.write { db in
                if let claim, !(try claim.holds(at: date.timeIntervalSince1970, in: db)) {
                    throw RegistryError(.claimLost, LostClaim(claim: claim).description)
                }
                guard let row = try db.row("SELECT * FROM runs WHERE id = ?", [runID.rawValue])
                else { throw RegistryError(.notFound, "there is no \(runID)") }
                let run = try Self.run(row)
                if let existing = try Self.version(where: "v.run_id = ?", [runID.rawValue], in: db).first {
                    return existing
                }
                let (model, digest) = try run.registrable()
                let number = try db.value(Int.self, "SELECT COALESCE(MAX(number), 0) + 1 FROM model_versions WHERE model = ?", [model]) ?? 1
                let broughtBy = String(decoding: try JSONEncoder().encode(provenance.broughtBy), as: UTF8.self)
                try db.execute(
                    """
                    INSERT INTO model_versions (model, number, run_id, artifact_digest, branch, brought_by, pull_request,
                                                pull_request_run, sluice_version, registered_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        model, number, runID.rawValue, digest, branch, broughtBy, provenance.pullRequest,
                        provenance.pullRequestRun?.rawValue, SluiceVersion.current, date.timeIntervalSince1970,
                    ])
                guard let version = try Self.version(where: "v.run_id = ?", [runID.rawValue], in: db).first else {
                    throw RegistryError(.store, "the version of \(runID) vanished after it was registered")
                }
                var details = [
                    "run": String(runID.rawValue), "digest": digest.description, "commit": run.commit, "branch": branch ?? "",
                    "brought_by": provenance.broughtBy.joined(separator: ", "),
                ]
                details["pull_request"] = provenance.pullRequest.map { "#\($0)" }
                details["pull_request_run"] = provenance.pullRequestRun.map { String($0.rawValue) }
                _ = try AuditLog.append(
                    AuditEntry.Draft(actor: "sluice", action: "version.registered", subject: version.label, details: details),
                    at: date, in: db)
                return version
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.store, "could not register \(runID): \(error)")
        }
    }

    /// The version a run of `trigger` registered from `commit`, if one did: how far a taken-over
    /// trigger's interrupted attempt got.
    func version(registeredBy trigger: Int64, commit: String) async throws(StoreError) -> ModelVersion? {
        try await read("find the version trigger \(trigger) registered") { db in
            try Self.version(where: "r.trigger_id = ? AND r.commit_id = ?", [trigger, commit], in: db).last
        }
    }

    /// Every version of `model`, oldest first.
    public func versions(of model: String) async throws(StoreError) -> [ModelVersion] {
        try await read("list the versions of \(model)") { db in
            try Self.version(where: "v.model = ?", [model], in: db)
        }
    }

    /// One version of a model, if it exists.
    public func version(_ number: ModelVersion.Number, of model: String) async throws(StoreError) -> ModelVersion? {
        try await read("read \(model) \(number)") { db in
            try Self.version(where: "v.model = ? AND v.number = ?", [model, number.rawValue], in: db).first
        }
    }

    /// The version a run registered, if it registered one.
    public func version(registeredBy run: Run.ID) async throws(StoreError) -> ModelVersion? {
        try await read("find the version \(run) registered") { db in
            try Self.version(where: "v.run_id = ?", [run.rawValue], in: db).first
        }
    }

    /// Every move of `environment` for `model`, oldest first.
    public func environmentHistory(of model: String, environment: String) async throws(StoreError) -> [EnvironmentChange] {
        try await read("read the history of \(model) in \(environment)") { db in
            try db.rows("SELECT * FROM environment_history WHERE model = ? AND environment = ? ORDER BY id",
                [model, environment]
            ).map { row in
                EnvironmentChange(
                    model: row["model"], environment: row["environment"],
                    from: (row["from_version"] as Int?).map(ModelVersion.Number.init(_:)),
                    to: (row["to_version"] as Int?).map(ModelVersion.Number.init(_:)), actor: row["actor"],
                    reason: row["reason"], at: Date(timeIntervalSince1970: row["at"]))
            }
        }
    }

    /// The version `environment` held at `date` (now when nil); nil when it held none.
    public func version(
        of model: String, in environment: String, at date: Date? = nil
    ) async throws(StoreError) -> ModelVersion.Number? {
        try await read("find \(model) in \(environment)") { db in
            try Self.currentVersion(of: model, in: environment, before: date, db)
        }
    }

    static func currentVersion(
        of model: String, in environment: String, before date: Date?, _ db: any StoreConnection
    ) throws -> ModelVersion.Number? {
        let row = try db.row(
            """
            SELECT to_version FROM environment_history
            WHERE model = ? AND environment = ? AND at <= ?
            ORDER BY at DESC, id DESC LIMIT 1
            """,
            [model, environment, (date ?? .distantFuture).timeIntervalSince1970])
        return (row?["to_version"] as Int?).map(ModelVersion.Number.init(_:))
    }

    /// Versions with their runs and the delivery of the run's trigger, by a condition on `v`.
    private static func version(where condition: String, _ arguments: SQLArguments, in db: any StoreConnection) throws
        -> [ModelVersion]
    {
        try db.rows(
            """
            SELECT v.model AS v_model, v.number AS v_number, v.artifact_digest AS v_digest, v.branch AS v_branch,
                   v.brought_by AS v_brought_by, v.pull_request AS v_pull_request, v.pull_request_run AS v_pull_request_run,
                   v.sluice_version AS v_sluice, v.registered_at AS v_at, t.delivery_id AS v_delivery, r.*
            FROM model_versions v JOIN runs r ON r.id = v.run_id LEFT JOIN triggers t ON t.id = r.trigger_id
            WHERE \(condition) ORDER BY v.model, v.number
            """,
            arguments
        ).map { row in
            ModelVersion(
                model: row["v_model"], number: ModelVersion.Number(row["v_number"]), artifactDigest: row["v_digest"],
                run: try run(row), branch: row["v_branch"],
                broughtBy: try JSONDecoder().decode([String].self, from: Data((row["v_brought_by"] as String).utf8)),
                pullRequest: row["v_pull_request"], pullRequestRun: (row["v_pull_request_run"] as Int64?).map(Run.ID.init(_:)),
                deliveryID: row["v_delivery"], sluiceVersion: row["v_sluice"], registeredAt: Date(timeIntervalSince1970: row["v_at"]))
        }
    }
}
