import Foundation
import GRDB

extension Store {
    /// Asks to move `version` into the environment `policy` (the server's, as planned for this
    /// version) describes. An `auto` environment's promotion is approved at once unless pinned; a
    /// protected one waits for approvals. Older open promotions of the same model to the same
    /// environment are superseded.
    public func requestPromotion(
        of version: ModelVersion, to policy: EnvironmentPolicy, requestedBy: String
    ) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await promotionWrite("request a promotion of \(version.label)") { db in
            try Self.supersedeOpen(
                version.model, policy.name, below: version.number, reason: "superseded by \(version.number)",
                by: version.label, date, db)
            let encoder = JSONEncoder()
            let approvers = String(decoding: try encoder.encode(policy.approvers), as: UTF8.self)
            let broughtBy = String(decoding: try encoder.encode(version.broughtBy), as: UTF8.self)
            let pin = try Self.pinReason(version.model, policy.name, db)
            let state = Promotion.initialState(under: policy, pinned: pin != nil)
            try db.execute(
                sql: """
                    INSERT INTO promotions (model, version, environment, state, requested_by, required_approvals, approvers,
                                            brought_by, allow_self_approval, reason, requested_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    version.model, version.number.rawValue, policy.name, state.rawValue, requestedBy,
                    policy.auto ? 0 : policy.approvals, approvers, broughtBy, policy.allowSelfApproval, pin,
                    date.timeIntervalSince1970, date.timeIntervalSince1970,
                ])
            let promotion = try Self.promotion(Promotion.ID(db.lastInsertedRowID), db)
            try Self.audit(
                promotion.id, "promotion.requested", by: requestedBy,
                ["version": version.label, "environment": policy.name, "state": promotion.state.rawValue,
                 "required_approvals": String(promotion.requiredApprovals)], date, db)
            return promotion
        }
    }

    /// Records `approver`'s approval; the promotion is approved once it has enough distinct ones.
    /// `releaseManagers` decide where the environment lists no approvers.
    public func approve(
        _ id: Promotion.ID, as approver: String, releaseManagers: Set<String>
    ) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await promotionWrite("approve \(id)") { db in
            let promotion = try Self.promotion(id, db)
            if let refusal = promotion.approvalRefusal(by: approver, releaseManagers: releaseManagers) {
                throw refusal
            }
            try db.execute(
                sql: "INSERT INTO promotion_approvals (promotion_id, approver, at) VALUES (?, ?, ?)",
                arguments: [id.rawValue, approver, date.timeIntervalSince1970])
            try Self.audit(id, "promotion.approval", by: approver, [:], date, db)
            if promotion.completedByOneMoreApproval, try Self.pinReason(promotion.model, promotion.environment, db) == nil {
                try db.execute(
                    sql: "UPDATE promotions SET state = 'approved', updated_at = ? WHERE id = ?",
                    arguments: [date.timeIntervalSince1970, id.rawValue])
                try Self.audit(id, "promotion.approved", by: "sluice", ["approvals": String(promotion.approvals.count + 1)], date, db)
            }
            return try Self.promotion(id, db)
        }
    }

    /// Rejects a promotion that waits for approval; only one who may approve it may.
    public func reject(
        _ id: Promotion.ID, as approver: String, reason: String, releaseManagers: Set<String>
    ) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await promotionWrite("reject \(id)") { db in
            if let refusal = try Self.promotion(id, db).refusal(of: "reject", by: approver, releaseManagers: releaseManagers) {
                throw refusal
            }
            try db.execute(
                sql: "UPDATE promotions SET state = 'rejected', reason = ?, updated_at = ? WHERE id = ?",
                arguments: ["rejected by \(approver): \(reason)", date.timeIntervalSince1970, id.rawValue])
            try Self.audit(id, "promotion.rejected", by: approver, ["reason": reason], date, db)
            return try Self.promotion(id, db)
        }
    }

    /// One promotion with its approvals.
    public func promotion(_ id: Promotion.ID) async throws(PromotionError) -> Promotion {
        try await promotionWrite("read \(id)") { db in try Self.promotion(id, db) }
    }

    /// Promotions newest first, open ones only unless `all`.
    public func promotions(all: Bool = false, limit: Int = 100) async throws(StoreError) -> [Promotion] {
        try await read("list promotions") { db in
            let ids = try Int64.fetchAll(
                db,
                sql: all
                    ? "SELECT id FROM promotions ORDER BY id DESC LIMIT ?"
                    : "SELECT id FROM promotions WHERE state IN ('pending_approval', 'approved') ORDER BY id DESC LIMIT ?",
                arguments: [limit])
            return try ids.map { try Self.promotion(Promotion.ID($0), db) }
        }
    }

    /// Every promotion of one version, oldest first.
    public func promotions(of model: String, version: ModelVersion.Number) async throws(StoreError) -> [Promotion] {
        try await read("list the promotions of \(model) \(version)") { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM promotions WHERE model = ? AND version = ? ORDER BY id",
                arguments: [model, version.rawValue]
            ).map { try Self.promotion(Promotion.ID($0), db) }
        }
    }

    /// Approved promotions waiting to be written to the deploy repository, oldest first.
    public func approvedPromotions() async throws(StoreError) -> [Promotion] {
        try await read("list approved promotions") { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM promotions WHERE state = 'approved' ORDER BY id")
                .map { try Self.promotion(Promotion.ID($0), db) }
        }
    }

    /// Records that the promotion's manifest is on the deploy repository's remote at
    /// `deployCommit`, and moves the environment to its version, in one transaction.
    ///
    /// A promotion superseded while its write was under way is applied all the same: its commit
    /// is on the remote, so the environment does hold that version until the newer one lands.
    public func markApplied(
        _ id: Promotion.ID, deployCommit: String
    ) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await promotionWrite("mark \(id) applied") { db in
            let promotion = try Self.promotion(id, db)
            if promotion.state == .applied { return promotion }
            guard promotion.state == .approved || promotion.state == .superseded else {
                throw PromotionError(.notPending, "\(id) is \(promotion.state.rawValue), not approved; it cannot be applied")
            }
            try db.execute(
                sql: "UPDATE promotions SET state = 'applied', deploy_commit = ?, reason = NULL, updated_at = ? WHERE id = ?",
                arguments: [deployCommit, date.timeIntervalSince1970, id.rawValue])
            try Self.audit(id, "promotion.applied", by: "sluice", ["deploy_commit": deployCommit], date, db)
            let approvers = promotion.approvals.map(\.approver)
            _ = try Self.recordMove(
                of: promotion.model, in: promotion.environment, to: promotion.version,
                actor: approvers.isEmpty ? promotion.requestedBy : approvers.joined(separator: ", "),
                reason: promotion.rollbackReason.map { "rollback (\(id)): \($0)" } ?? "\(id)", at: date, db)
            return try Self.promotion(id, db)
        }
    }

    /// Ends an approved promotion that can never be written as it is (its manifest does not
    /// render, its spec cannot be read); `reason` says what to fix.
    public func markFailed(_ id: Promotion.ID, reason: String) async throws(PromotionError) {
        let date = clock.now
        return try await promotionWrite("mark \(id) failed") { db in
            try db.execute(
                sql: "UPDATE promotions SET state = 'failed', reason = ?, updated_at = ? WHERE id = ? AND state = 'approved'",
                arguments: [reason, date.timeIntervalSince1970, id.rawValue])
            if db.changesCount > 0 { try Self.audit(id, "promotion.failed", by: "sluice", ["reason": reason], date, db) }
        }
    }

    /// Notes on an approved promotion why its write did not happen yet (the deploy repository
    /// is unreachable, refused the credentials, kept moving); it stays approved and is tried again.
    public func noteWriteDelayed(_ id: Promotion.ID, reason: String) async throws(PromotionError) {
        let date = clock.now
        return try await promotionWrite("note on \(id)") { db in
            try db.execute(
                sql: "UPDATE promotions SET reason = ?, updated_at = ? WHERE id = ? AND state = 'approved'",
                arguments: ["not written yet: \(reason)", date.timeIntervalSince1970, id.rawValue])
        }
    }

    /// Rolls `environment` back to an earlier version of `model`: a promotion approved at once on
    /// the release manager's word, which supersedes open promotions there and pins the
    /// environment so automation cannot undo it.
    ///
    /// Without `target`, the version the environment held before its current one. Only a version
    /// the environment held before is allowed: a rollback returns to something that was approved
    /// there, it cannot bring in a version that never was.
    public func requestRollback(
        of model: String, in environment: String, to target: ModelVersion.Number? = nil, by actor: String,
        reason: String
    ) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await promotionWrite("roll back \(model) in \(environment)") { db in
            let held = try Int.fetchAll(
                db,
                sql: """
                    SELECT to_version FROM environment_history
                    WHERE model = ? AND environment = ? AND to_version IS NOT NULL ORDER BY at, id
                    """,
                arguments: [model, environment]
            ).map(ModelVersion.Number.init(_:))
            guard let current = try Self.currentVersion(of: model, in: environment, before: nil, db) else {
                throw PromotionError(.invalidRollback, "\(environment) holds no version of \(model); there is nothing to roll back")
            }
            let earlier = held.filter { $0 != current }
            let listed = Set(earlier).sorted().map(\.description).joined(separator: ", ")
            let version: ModelVersion.Number
            if let target {
                guard target != current else {
                    throw PromotionError(.invalidRollback, "\(environment) already holds \(model) \(target)")
                }
                guard earlier.contains(target) else {
                    throw PromotionError(
                        .invalidRollback,
                        "\(environment) never held \(model) \(target); a rollback goes back to a version it held before "
                            + (listed.isEmpty ? "(it has held no other)" : "(\(listed))") + ", anything else needs a promotion")
                }
                version = target
            } else {
                guard let previous = earlier.last else {
                    throw PromotionError(.invalidRollback, "\(environment) has held only \(model) \(current); there is no earlier version to roll back to")
                }
                version = previous
            }
            try Self.supersedeOpen(
                model, environment, below: nil, reason: "superseded by the rollback to \(version)",
                by: "rollback to \(model) \(version)", date, db)
            try db.execute(
                sql: """
                    INSERT INTO promotions (model, version, environment, state, requested_by, required_approvals, approvers,
                                            allow_self_approval, rollback_reason, requested_at, updated_at)
                    VALUES (?, ?, ?, 'approved', ?, 0, '[]', 0, ?, ?, ?)
                    """,
                arguments: [
                    model, version.rawValue, environment, actor, reason, date.timeIntervalSince1970, date.timeIntervalSince1970,
                ])
            let id = Promotion.ID(db.lastInsertedRowID)
            try Self.audit(
                id, "promotion.rollback", by: actor,
                ["environment": environment, "from": current.description, "to": version.description, "reason": reason], date, db)
            try Self.recordPin(model, environment, by: actor, reason: "rolled back to \(version): \(reason)", date, db)
            return try Self.promotion(id, db)
        }
    }

    /// Freezes promotion into an environment: its promotions wait, saying why, until `unpin`.
    public func pin(
        _ model: String, environment: String, by actor: String, reason: String
    ) async throws(PromotionError) {
        let date = clock.now
        return try await promotionWrite("pin \(model) in \(environment)") { db in
            try Self.recordPin(model, environment, by: actor, reason: reason, date, db)
        }
    }

    /// Supersedes the open promotions of `model` to `environment` (those of versions below
    /// `below`, when given), each with its audit entry, inside `db`'s transaction.
    private static func supersedeOpen(
        _ model: String, _ environment: String, below: ModelVersion.Number?, reason: String, by superseder: String,
        _ date: Date, _ db: Database
    ) throws {
        let superseded = try Int64.fetchAll(
            db,
            sql: """
                SELECT id FROM promotions
                WHERE model = ? AND environment = ? AND state IN ('pending_approval', 'approved') AND version < ?
                """,
            arguments: [model, environment, below?.rawValue ?? Int.max])
        for id in superseded {
            try db.execute(
                sql: "UPDATE promotions SET state = 'superseded', reason = ?, updated_at = ? WHERE id = ?",
                arguments: [reason, date.timeIntervalSince1970, id])
            try audit(Promotion.ID(id), "promotion.superseded", by: "sluice", ["by": superseder], date, db)
        }
    }

    /// Pins the environment inside `db`'s transaction; its pending promotions say why they wait.
    private static func recordPin(
        _ model: String, _ environment: String, by actor: String, reason: String, _ date: Date, _ db: Database
    ) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO pins (model, environment, pinned_by, reason, at) VALUES (?, ?, ?, ?, ?)",
            arguments: [model, environment, actor, reason, date.timeIntervalSince1970])
        try db.execute(
            sql: """
                UPDATE promotions SET reason = ?, updated_at = ?
                WHERE model = ? AND environment = ? AND state = 'pending_approval'
                """,
            arguments: [try pinReason(model, environment, db), date.timeIntervalSince1970, model, environment])
        _ = try AuditLog.append(
            AuditEntry.Draft(
                actor: actor, action: "environment.pinned", subject: "\(model) in \(environment)",
                details: ["reason": reason]),
            at: date, in: db)
    }

    /// Lifts a pin: waiting promotions that have their approvals (or need none) are approved.
    public func unpin(
        _ model: String, environment: String, by actor: String
    ) async throws(PromotionError) {
        let date = clock.now
        return try await promotionWrite("unpin \(model) in \(environment)") { db in
            try db.execute(
                sql: "DELETE FROM pins WHERE model = ? AND environment = ?", arguments: [model, environment])
            guard db.changesCount > 0 else {
                throw PromotionError(.notFound, "\(environment) is not pinned for \(model)")
            }
            try db.execute(
                sql: """
                    UPDATE promotions SET state = 'approved', reason = NULL, updated_at = ?
                    WHERE model = ? AND environment = ? AND state = 'pending_approval'
                      AND (SELECT COUNT(*) FROM promotion_approvals WHERE promotion_id = promotions.id) >= required_approvals
                    """,
                arguments: [date.timeIntervalSince1970, model, environment])
            try db.execute(
                sql: "UPDATE promotions SET reason = NULL WHERE model = ? AND environment = ? AND state = 'pending_approval'",
                arguments: [model, environment])
            _ = try AuditLog.append(
                AuditEntry.Draft(actor: actor, action: "environment.unpinned", subject: "\(model) in \(environment)"),
                at: date, in: db)
        }
    }

    /// Why promotions into the environment wait, when it is pinned.
    private static func pinReason(_ model: String, _ environment: String, _ db: Database) throws -> String? {
        try Row.fetchOne(
            db, sql: "SELECT pinned_by, reason FROM pins WHERE model = ? AND environment = ?",
            arguments: [model, environment]
        ).map { row in "waiting: \(environment) is pinned by \(row["pinned_by"] as String) (\(row["reason"] as String))" }
    }

    private static func audit(
        _ id: Promotion.ID, _ action: String, by actor: String, _ details: [String: String], _ date: Date, _ db: Database
    ) throws {
        _ = try AuditLog.append(
            AuditEntry.Draft(actor: actor, action: action, subject: id.description, details: details), at: date, in: db)
    }

    private static func promotion(_ id: Promotion.ID, _ db: Database) throws -> Promotion {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM promotions WHERE id = ?", arguments: [id.rawValue]) else {
            throw PromotionError(.notFound, "there is no \(id)")
        }
        let approvals = try Row.fetchAll(
            db, sql: "SELECT approver, at FROM promotion_approvals WHERE promotion_id = ? ORDER BY at, approver",
            arguments: [id.rawValue]
        ).map { Promotion.Approval(approver: $0["approver"], at: Date(timeIntervalSince1970: $0["at"])) }
        return Promotion(
            id: id, model: row["model"], version: ModelVersion.Number(row["version"]), environment: row["environment"],
            state: Promotion.State(rawValue: row["state"]) ?? .failed, requestedBy: row["requested_by"],
            requiredApprovals: row["required_approvals"],
            approvers: try JSONDecoder().decode([String].self, from: Data((row["approvers"] as String).utf8)),
            broughtBy: try JSONDecoder().decode([String].self, from: Data((row["brought_by"] as String).utf8)),
            allowSelfApproval: row["allow_self_approval"], approvals: approvals,
            reason: row["reason"], deployCommit: row["deploy_commit"], rollbackReason: row["rollback_reason"],
            requestedAt: Date(timeIntervalSince1970: row["requested_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }

    /// A write whose refusals stay `PromotionError`s and whose failures become `.store` ones.
    private func promotionWrite<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(PromotionError) -> T {
        do {
            return try await pool.write(body)
        } catch let error as PromotionError {
            throw error
        } catch {
            throw PromotionError(.store, "could not \(operation): \(error)")
        }
    }
}
