import Foundation

/// The scheduler's side of the trigger queue. A trigger is `queued`, then `running` under a lease
/// its scheduler renews, then `done`, `failed`, `superseded` or `cancelled` with an outcome that
/// says why.
/// (`/sluice approve` and `/sluice reject` comments go through `claimPromotionDecisions` instead.)
extension Store {
    /// Ends every queued trigger that a newer one of its lane (queued or running) replaces, as
    /// `superseded`, each with an audit entry; returns how many.
    ///
    /// Asked on every scheduler tick, so it looks with a read and takes the writer only when
    /// there is something to end.
    func supersedeQueuedTriggers() async throws(StoreError) -> Int {
        let date = clock.now
        // Each lane's newest trigger still to run or running; the queued ones before it are replaced.
        let newest = """
            (SELECT lane, MAX(id) AS id FROM triggers
             WHERE lane IS NOT NULL AND state IN ('queued', 'running') GROUP BY lane) AS newest
            """
        let replaced = "triggers t JOIN \(newest) ON t.lane = newest.lane AND t.id < newest.id WHERE t.state = 'queued'"
        let waiting = try await read("look for superseded triggers") { db in
            try db.value(Int64.self, "SELECT t.id FROM \(replaced) LIMIT 1") != nil
        }
        guard waiting else { return 0 }
        return try await write("supersede queued triggers") { db in
            // Two statements end them all and one insert records them, however many were
            // replaced: a burst of pushes to one branch leaves thousands, the writer is shared by
            // every replica's deliveries, and on PostgreSQL each statement is a round trip.
            let rows = try db.rows("SELECT t.id, t.lane, newest.id AS newest FROM \(replaced) ORDER BY t.id")
            try db.execute(
                """
                UPDATE triggers SET state = 'superseded', outcome = 'superseded by trigger ' || newest.id,
                    finished_at = ?, lease_expires_at = NULL
                FROM \(newest)
                WHERE triggers.lane = newest.lane AND triggers.id < newest.id AND triggers.state = 'queued'
                """,
                [date.timeIntervalSince1970])
            let audit = rows.map { row in
                (draft: AuditEntry.Draft(
                    actor: "sluice", action: "trigger.superseded", subject: "trigger \(row["id"] as Int64)",
                    details: ["by": "trigger \(row["newest"] as Int64)", "lane": row["lane"]]), at: date)
            }
            _ = try AuditLog.append(audit, in: db)
            return rows.count
        }
    }

    /// The queued triggers the scheduler may start, oldest first, at most `limit`.
    public func runnableTriggers(limit: Int) async throws(StoreError) -> [QueuedTrigger] {
        try await read("list runnable triggers") { db in
            try db.rows(
                "SELECT id, delivery_id, lane, attempts, payload FROM triggers WHERE state = 'queued' ORDER BY id LIMIT ?",
                [limit]
            ).compactMap { row -> QueuedTrigger? in
                let trigger = try JSONDecoder().decode(Trigger.self, from: Data((row["payload"] as String).utf8))
                if case .command(let command) = trigger, command.verb.decidesPromotion { return nil }
                return QueuedTrigger(
                    id: row["id"], delivery: row["delivery_id"], trigger: trigger, lane: row["lane"],
                    attempts: row["attempts"])
            }
        }
    }

    /// Claims those of `ids` still queued: `running`, leased until `leaseExpiry`, one attempt
    /// more. Returns the claims made (a compare-and-set, so two claimers never share one).
    func claimTriggers(_ ids: [Int64], leaseExpiry: Date) async throws(StoreError) -> [TriggerClaim] {
        guard !ids.isEmpty else { return [] }
        return try await write("claim triggers") { db in
            try ids.compactMap { id -> TriggerClaim? in
                let claimed = try db.execute(
                    """
                    UPDATE triggers SET state = 'running', attempts = attempts + 1, lease_expires_at = ?
                    WHERE id = ? AND state = 'queued'
                    """,
                    [leaseExpiry.timeIntervalSince1970, id]) == 1
                guard claimed, let attempt = try db.value(Int.self, "SELECT attempts FROM triggers WHERE id = ?", [id])
                else { return nil }
                return TriggerClaim(trigger: id, attempt: attempt)
            }
        }
    }

    /// Extends the lease of `claims` until `expiry`: their claimer is alive. Returns the claims
    /// that no longer hold (their lease ran out first, or another replica took them over),
    /// whose work the claimer must stop.
    func renewLeases(_ claims: [TriggerClaim], until expiry: Date) async throws(StoreError) -> [TriggerClaim] {
        guard !claims.isEmpty else { return [] }
        let now = clock.now.timeIntervalSince1970
        return try await write("renew trigger leases") { db in
            try claims.filter { claim in
                try db.execute(
                    "UPDATE triggers SET lease_expires_at = ? WHERE \(TriggerClaim.heldCondition)",
                    SQLArguments([expiry.timeIntervalSince1970]).appending(claim.arguments(at: now))) == 0
            }
        }
    }

    /// Takes back the running triggers whose lease ran out (their server died): each run they
    /// left `running` ends in `error`, and the trigger is queued again if it was claimed fewer
    /// than `maxAttempts` times, else it fails with why.
    func recoverAbandonedTriggers(
        maxAttempts: Int
    ) async throws(StoreError) -> [AbandonedTrigger] {
        let date = clock.now
        let now = date.timeIntervalSince1970
        let expired = try await read("look for abandoned triggers") { db in
            try db.value(
                Int.self, "SELECT COUNT(*) FROM triggers WHERE state = 'running' AND lease_expires_at < ?",
                [now]) ?? 0
        }
        guard expired > 0 else { return [] }
        return try await write("recover abandoned triggers") { db in
            let rows = try db.rows(
                "SELECT id, attempts FROM triggers WHERE state = 'running' AND lease_expires_at < ?",
                [now])
            return try rows.compactMap { row -> AbandonedTrigger? in
                let id: Int64 = row["id"]
                let attempts: Int = row["attempts"]
                let outcome = AbandonedTrigger.outcome(afterAttempts: attempts, maxAttempts: maxAttempts)
                let requeued = outcome == nil
                // The trigger's row first, and only while its lease is still out: a renewal or a
                // claimer's write that got there first wins, and one that comes later finds the
                // claim gone (see `TriggerClaim.holds`).
                let taken = try db.execute(
                    """
                    UPDATE triggers SET state = ?, outcome = ?, lease_expires_at = NULL, finished_at = ?
                    WHERE id = ? AND state = 'running' AND attempts = ? AND lease_expires_at < ?
                    """,
                    [requeued ? "queued" : "failed", outcome, requeued ? nil : now, id, attempts, now])
                guard taken == 1 else { return nil }
                let interrupted = try db.values(Int64.self, "SELECT id FROM runs WHERE trigger_id = ? AND state = 'running'", [id])
                let reason = Run.abandonedReason
                for run in interrupted {
                    try db.execute(
                        "UPDATE runs SET state = 'error', reason = ?, finished_at = ? WHERE id = ?",
                        [reason, now, run])
                    _ = try AuditLog.append(
                        AuditEntry.Draft(
                            actor: "sluice", action: "run.finished", subject: Run.ID(run).description,
                            details: ["state": "error", "reason": reason]),
                        at: date, in: db)
                }
                if let outcome {
                    _ = try AuditLog.append(
                        AuditEntry.Draft(
                            actor: "sluice", action: "trigger.failed", subject: "trigger \(id)",
                            details: ["reason": outcome]),
                        at: date, in: db)
                }
                return AbandonedTrigger(id: id, requeued: requeued, interruptedRuns: interrupted.map(Run.ID.init(_:)))
            }
        }
    }

    /// Ends a claimed trigger with its outcome; false (and nothing written) when the claim no
    /// longer holds.
    func finishTrigger(
        _ claim: TriggerClaim, as end: TriggerEnd, outcome: String
    ) async throws(StoreError) -> Bool {
        let now = clock.now.timeIntervalSince1970
        return try await write("finish trigger \(claim.trigger)") { db in
            guard try claim.holds(at: now, in: db) else { return false }
            try db.execute(
                "UPDATE triggers SET state = ?, outcome = ?, finished_at = ?, lease_expires_at = NULL WHERE id = ?",
                [end.rawValue, outcome, now, claim.trigger])
            return true
        }
    }

    /// Puts a claimed trigger back in the queue without counting the attempt: the server is
    /// shutting down cleanly, and the next start carries it out. False (and nothing written)
    /// when the claim no longer holds.
    func releaseTrigger(_ claim: TriggerClaim) async throws(StoreError) -> Bool {
        let now = clock.now.timeIntervalSince1970
        return try await write("release trigger \(claim.trigger)") { db in
            guard try claim.holds(at: now, in: db) else { return false }
            try db.execute(
                "UPDATE triggers SET state = 'queued', attempts = attempts - 1, lease_expires_at = NULL WHERE id = ?",
                [claim.trigger])
            return true
        }
    }

    /// The newest head Sluice was told of for pull request `number` of `project` (what
    /// `/sluice run` runs), if any.
    func latestPullRequest(of project: String, number: Int) async throws(StoreError) -> PullRequest? {
        try await read("find pull request \(number) of \(project)") { db in
            let lane = Trigger.lane(ofPullRequest: number, in: project)
            guard let payload = try db.value(String.self, "SELECT payload FROM triggers WHERE lane = ? ORDER BY id DESC LIMIT 1", [lane])
            else { return nil }
            guard case .pullRequest(let pullRequest) = try JSONDecoder().decode(Trigger.self, from: Data(payload.utf8))
            else { return nil }
            return pullRequest
        }
    }

    /// Records why the last report of a run to its forge failed (nil: it went through). Each run
    /// reports twice and nearly always well, so it looks with a read and writes only a change.
    func noteReportProblem(_ run: Run.ID, _ problem: String?) async throws(StoreError) {
        let recorded = try await read("read the report problem of \(run)") { db in
            try db.value(String.self, "SELECT report_problem FROM runs WHERE id = ?", [run.rawValue])
        }
        guard recorded != problem else { return }
        try await write("note the report problem of \(run)") { db in
            try db.execute("UPDATE runs SET report_problem = ? WHERE id = ?", [problem, run.rawValue])
        }
    }

    /// Asks for `run` to be stopped by `login`: its trigger is marked for the scheduler that runs
    /// it, which stops the step's whole process group at its next look, and the run ends
    /// `cancelled`. Refused for a run that is not running, or not the server's.
    public func requestCancel(of run: Run.ID, by login: String) async throws(StoreError) -> CancelRequest {
        let date = clock.now
        return try await write("cancel \(run)") { db in
            guard let row = try db.row(
                "SELECT r.state, r.trigger_id, t.state AS trigger_state FROM runs r LEFT JOIN triggers t ON t.id = r.trigger_id WHERE r.id = ?",
                [run.rawValue])
            else { return .noSuchRun }
            guard row["state"] == Run.State.running.rawValue, let trigger = row["trigger_id"] as Int64? else {
                return .notRunning(Run.State(rawValue: row["state"]) ?? .error)
            }
            try db.execute("UPDATE triggers SET cancel_requested_by = ? WHERE id = ? AND state = 'running'", [login, trigger])
            _ = try AuditLog.append(
                AuditEntry.Draft(actor: login, action: "run.cancel_requested", subject: run.description, details: ["trigger": String(trigger)]),
                at: date, in: db)
            return .requested(trigger: trigger)
        }
    }

    /// The running triggers among `ids` that someone asked to cancel, with who asked.
    func cancelRequests(among ids: [Int64]) async throws(StoreError) -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        return try await read("look for cancel requests") { db in
            let arguments = SQLArguments(ids)
            var requests: [Int64: String] = [:]
            for row in try db.rows(
                "SELECT id, cancel_requested_by FROM triggers WHERE cancel_requested_by IS NOT NULL AND id IN (\(arguments.placeholders))",
                arguments)
            {
                requests[row["id"]] = row["cancel_requested_by"]
            }
            return requests
        }
    }

    /// The state and outcome of trigger `id`, if there is one.
    public func triggerState(_ id: Int64) async throws(StoreError) -> (state: String, outcome: String?)? {
        try await read("read trigger \(id)") { db in
            try db.row("SELECT state, outcome FROM triggers WHERE id = ?", [id]).map {
                ($0["state"], $0["outcome"])
            }
        }
    }
}

/// A trigger waiting in the queue, as the scheduler sees it.
public struct QueuedTrigger: Sendable, Hashable {
    public let id: Int64
    /// The delivery that produced it.
    public let delivery: Int64
    public let trigger: Trigger
    let lane: String?
    /// How often it was claimed before (a server died during its run).
    public let attempts: Int
}

/// How a trigger the scheduler claimed ended.
enum TriggerEnd: String, Sendable {
    /// It was carried out (its runs ended however they ended).
    case done
    /// It could not be carried out; the outcome says why.
    case failed
    /// A newer trigger of its lane replaced it while it ran.
    case superseded
    /// An engineer cancelled it.
    case cancelled
}

/// A running trigger whose server died, as `Store.recoverAbandonedTriggers` found it.
struct AbandonedTrigger: Sendable, Hashable {
    let id: Int64
    /// True when it is queued again; false when it failed for good.
    let requeued: Bool
    /// The runs it had started, now ended in `error`.
    let interruptedRuns: [Run.ID]
}

/// What asking to cancel a run did.
public enum CancelRequest: Sendable, Hashable {
    /// Its trigger is marked; the scheduler stops it at its next look.
    case requested(trigger: Int64)
    /// It already ended (or is not a server run).
    case notRunning(Run.State)
    case noSuchRun
}
