import Foundation

/// Promotions, approvals, pins and environment moves as rows. What to write is decided by the
/// promotion rules (``EnvironmentState``); the store reads what they decide on and writes their
/// ``PromotionChange`` in the same transaction.
extension Store {
    /// Reads promotion `id` and its environment, lets `rule` decide, and writes the decision, in
    /// one transaction. Returns the promotion as it ended up.
    public func decide(
        about id: Promotion.ID, _ operation: String,
        by rule: @escaping @Sendable (Promotion, EnvironmentState) throws(PromotionError) -> PromotionChange
    ) async throws(PromotionError) -> Promotion {
        try await promotionWrite(operation) { db in
            let promotion = try Self.promotion(id, db)
            let change = try rule(promotion, try Self.environmentState(promotion.model, promotion.environment, db))
            return try Self.persist(change, db) ?? promotion
        }
    }

    /// Reads the state of `model` in `environment`, lets `rule` decide, and writes the decision,
    /// in one transaction. Returns the change with the promotion it created or was about.
    public func decide(
        in environment: String, of model: String, _ operation: String,
        by rule: @escaping @Sendable (EnvironmentState) throws(PromotionError) -> PromotionChange
    ) async throws(PromotionError) -> (change: PromotionChange, promotion: Promotion?) {
        try await promotionWrite(operation) { db in
            let change = try rule(try Self.environmentState(model, environment, db))
            return (change, try Self.persist(change, db))
        }
    }

    /// One promotion with its approvals.
    public func promotion(_ id: Promotion.ID) async throws(PromotionError) -> Promotion {
        try await promotionWrite("read \(id)") { db in try Self.promotion(id, db) }
    }

    /// Promotions newest first, open ones only unless `all`.
    public func promotions(all: Bool = false, limit: Int = 100) async throws(StoreError) -> [Promotion] {
        try await read("list promotions") { db in
            let ids = try db.values(
                Int64.self,
                all
                    ? "SELECT id FROM promotions ORDER BY id DESC LIMIT ?"
                    : "SELECT id FROM promotions WHERE state IN ('pending_approval', 'approved') ORDER BY id DESC LIMIT ?",
                [limit])
            return try ids.map { try Self.promotion(Promotion.ID($0), db) }
        }
    }

    /// Every promotion of one version, oldest first.
    public func promotions(of model: String, version: ModelVersion.Number) async throws(StoreError) -> [Promotion] {
        try await read("list the promotions of \(model) \(version)") { db in
            try db.values(Int64.self, "SELECT id FROM promotions WHERE model = ? AND version = ? ORDER BY id",
                [model, version.rawValue]
            ).map { try Self.promotion(Promotion.ID($0), db) }
        }
    }

    /// Approved promotions waiting to be written to the deploy repository, oldest first.
    func approvedPromotions() async throws(StoreError) -> [Promotion] {
        try await read("list approved promotions") { db in
            try db.values(Int64.self, "SELECT id FROM promotions WHERE state = 'approved' ORDER BY id")
                .map { try Self.promotion(Promotion.ID($0), db) }
        }
    }

    /// What the rules decide on about `model` in `environment`, read inside `db`'s transaction.
    private static func environmentState(_ model: String, _ environment: String, _ db: any StoreConnection) throws -> EnvironmentState {
        let open = try db.values(
            Int64.self, "SELECT id FROM promotions WHERE model = ? AND environment = ? AND state IN ('pending_approval', 'approved') ORDER BY id",
            [model, environment]
        ).map { try promotion(Promotion.ID($0), db) }
        let pin = try db.row("SELECT pinned_by, reason FROM pins WHERE model = ? AND environment = ?", [model, environment]
        ).map { EnvironmentPin(by: $0["pinned_by"], reason: $0["reason"]) }
        let held = try db.values(
            Int.self,
            """
            SELECT to_version FROM environment_history
            WHERE model = ? AND environment = ? AND to_version IS NOT NULL ORDER BY at, id
            """,
            [model, environment]
        ).map(ModelVersion.Number.init(_:))
        return EnvironmentState(
            model: model, environment: environment, open: open, pin: pin, held: held,
            current: try currentVersion(of: model, in: environment, before: nil, db))
    }

    /// Writes `change` inside `db`'s transaction and returns the promotion it created or was
    /// about, as it ended up. A promotion whose revision moved since the rules read it is a
    /// conflict: the whole transaction rolls back.
    private static func persist(_ change: PromotionChange, _ db: any StoreConnection) throws -> Promotion? {
        let at = change.at.timeIntervalSince1970
        for promotion in change.updated {
            let changed = try db.execute(
                """
                UPDATE promotions SET state = ?, reason = ?, deploy_commit = ?, updated_at = ?, revision = revision + 1
                WHERE id = ? AND revision = ?
                """,
                [
                    promotion.state.rawValue, promotion.reason, promotion.deployCommit, at, promotion.id.rawValue,
                    promotion.revision,
                ])
            guard changed == 1 else {
                throw PromotionError(.conflict, "\(promotion.id) changed while it was being decided; try again")
            }
        }
        var created: Promotion.ID?
        if let promotion = change.created {
            let encoder = JSONEncoder()
            created = Promotion.ID(
                try db.insert(
                    """
                    INSERT INTO promotions (model, version, environment, state, requested_by, required_approvals, approvers,
                                            brought_by, allow_self_approval, reason, rollback_reason, requested_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                [
                    promotion.model, promotion.version.rawValue, promotion.environment, promotion.state.rawValue,
                    promotion.requestedBy, promotion.requiredApprovals,
                    String(decoding: try encoder.encode(promotion.approvers), as: UTF8.self),
                    String(decoding: try encoder.encode(promotion.broughtBy), as: UTF8.self), promotion.allowSelfApproval,
                    promotion.reason, promotion.rollbackReason, at, at,
                ]))
        }
        if let (id, approval) = change.approval {
            try db.execute("INSERT INTO promotion_approvals (promotion_id, approver, at) VALUES (?, ?, ?)",
                [id.rawValue, approval.approver, approval.at.timeIntervalSince1970])
        }
        switch change.pin {
        case .set(let pin):
            try db.execute(
                """
                INSERT INTO pins (model, environment, pinned_by, reason, at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (model, environment) DO UPDATE SET pinned_by = excluded.pinned_by, reason = excluded.reason, at = excluded.at
                """,
                [change.model, change.environment, pin.by, pin.reason, at])
        case .lift:
            try db.execute("DELETE FROM pins WHERE model = ? AND environment = ?", [change.model, change.environment])
        case nil:
            break
        }
        if let move = change.move {
            try recordMove(move, db)
        }
        for note in change.notes {
            let subject: String
            switch note.subject {
            case .promotion(let id): subject = id.description
            case .created: subject = created?.description ?? "a promotion"
            case .environment: subject = "\(change.model) in \(change.environment)"
            }
            _ = try AuditLog.append(
                AuditEntry.Draft(actor: note.actor, action: note.action, subject: subject, details: note.details),
                at: change.at, in: db)
        }
        return try (created ?? change.answer).map { try promotion($0, db) }
    }

    /// Adds `move` to the environment's history, refusing a version the model does not have.
    private static func recordMove(_ move: EnvironmentChange, _ db: any StoreConnection) throws {
        if let number = move.to,
            try db.value(Int.self, "SELECT 1 FROM model_versions WHERE model = ? AND number = ?", [move.model, number.rawValue])
                == nil
        {
            throw PromotionError(.notFound, "\(move.model) has no version \(number)")
        }
        try db.execute(
            """
            INSERT INTO environment_history (model, environment, from_version, to_version, actor, reason, at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                move.model, move.environment, move.from?.rawValue, move.to?.rawValue, move.actor, move.reason,
                move.at.timeIntervalSince1970,
            ])
    }

    private static func promotion(_ id: Promotion.ID, _ db: any StoreConnection) throws -> Promotion {
        guard let row = try db.row("SELECT * FROM promotions WHERE id = ?", [id.rawValue]) else {
            throw PromotionError(.notFound, "there is no \(id)")
        }
        let approvals = try db.rows(
            "SELECT approver, at FROM promotion_approvals WHERE promotion_id = ? ORDER BY at, approver",
            [id.rawValue]
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
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]), revision: row["revision"])
    }

    /// A write whose refusals stay `PromotionError`s and whose failures become `.store` ones.
    private func promotionWrite<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (any StoreConnection) throws -> T
    ) async throws(PromotionError) -> T {
        do {
            return try await database.write(body)
        } catch let error as PromotionError {
            throw error
        } catch {
            throw PromotionError(.store, "could not \(operation): \(error)")
        }
    }
}
