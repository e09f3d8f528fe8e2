import Foundation

extension Store {
    /// Claims every `/sluice approve` and `/sluice reject` comment that waits, oldest first, until
    /// `leaseExpiry`, so no other replica carries one out too: the queued ones, and those whose
    /// claimer's lease ran out before it finished them (its server stopped). Other triggers stay
    /// queued for the runs they start.
    ///
    /// Asked every second by every running server, so it finds them with a read and takes the
    /// writer (which ingress needs for every delivery) only when a decision waits; the claim
    /// itself is a compare-and-set on each trigger's state and lease.
    func claimPromotionDecisions(leaseExpiry: Date) async throws(StoreError) -> [ClaimedDecision] {
        let now = clock.now.timeIntervalSince1970
        let waits = "kind = 'command' AND (state = 'queued' OR (state = 'claimed' AND lease_expires_at < ?))"
        let waiting = try await read("look for promotion decisions") { db in
            try db.rows("SELECT id, payload FROM triggers WHERE \(waits) ORDER BY id", [now]).compactMap {
                row -> ClaimedDecision? in
                let trigger = try JSONDecoder().decode(Trigger.self, from: Data((row["payload"] as String).utf8))
                guard case .command(let command) = trigger, command.verb.decidesPromotion else {
                    return nil
                }
                return ClaimedDecision(trigger: row["id"], command: command)
            }
        }
        guard !waiting.isEmpty else { return [] }
        return try await write("claim promotion decisions") { db in
            try waiting.filter { decision in
                try db.execute(
                    "UPDATE triggers SET state = 'claimed', lease_expires_at = ? WHERE id = ? AND \(waits)",
                    [leaseExpiry.timeIntervalSince1970, decision.trigger, now]) == 1
            }
        }
    }

    /// Ends a claimed trigger: done, or refused with why (also an audit entry, by the commenter).
    func finishDecision(
        _ decision: ClaimedDecision, refusal: String?
    ) async throws(StoreError) {
        let date = clock.now
        return try await write("finish trigger \(decision.trigger)") { db in
            try db.execute("UPDATE triggers SET state = ?, outcome = ?, finished_at = ?, lease_expires_at = NULL WHERE id = ?",
                [refusal == nil ? "done" : "refused", refusal, date.timeIntervalSince1970, decision.trigger])
            guard let refusal else { return }
            try Self.auditRefusal(of: decision.command, reason: refusal, trigger: decision.trigger, at: date, in: db)
        }
    }

    /// Records in the audit log, by the commenter, that a comment command was refused and why
    /// (the scheduler's `/sluice run` from someone who is not a maintainer).
    func recordRefusal(
        of command: CommentCommand, reason: String, trigger: Int64
    ) async throws(StoreError) {
        let date = clock.now
        return try await write("record a refused command") { db in
            try Self.auditRefusal(of: command, reason: reason, trigger: trigger, at: date, in: db)
        }
    }

    private static func auditRefusal(
        of command: CommentCommand, reason: String, trigger: Int64, at date: Date, in db: any StoreConnection
    ) throws {
        let subject = ["/sluice", command.verb.rawValue, command.environment].compactMap { $0 }.joined(separator: " ")
        _ = try AuditLog.append(
            AuditEntry.Draft(
                actor: command.commenter, action: "command.refused",
                subject: "\(subject) on \(command.project) #\(command.number)",
                details: ["reason": reason, "trigger": String(trigger)]),
            at: date, in: db)
    }
}

/// A `/sluice approve|reject ENV` comment claimed from the queue, to be decided once.
struct ClaimedDecision: Sendable, Hashable {
    /// The trigger's id in the store.
    let trigger: Int64
    let command: CommentCommand
}
