import Foundation

/// The one way promotions are decided: each call reads through the store, decides by the
/// promotion rules at the injected clock's now, and has the store write the decision in the
/// transaction it read in. ``Promoter`` adds the deploy repository writes on top.
public struct PromotionLedger: Sendable {
    private let store: Store
    private let clock: any WallClock

    public init(store: Store, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Asks to move `version` into the environment `policy` describes (see ``EnvironmentState/request(_:under:by:at:)``).
    func requestPromotion(
        of version: ModelVersion, to policy: EnvironmentPolicy, requestedBy: String
    ) async throws(PromotionError) -> Promotion {
        let date = clock.now
        let decided = try await store.decide(in: policy.name, of: version.model, "request a promotion of \(version.label)") { state in
            state.request(version, under: policy, by: requestedBy, at: date)
        }
        guard let promotion = decided.promotion else {
            throw PromotionError(.store, "the promotion of \(version.label) was not recorded")
        }
        return promotion
    }

    /// Records `approver`'s approval; the promotion is approved once it has enough distinct ones.
    public func approve(
        _ id: Promotion.ID, as approver: String, releaseManagers: Set<String>
    ) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await store.decide(about: id, "approve \(id)") { promotion, state throws(PromotionError) in
            try state.approval(of: promotion, by: approver, releaseManagers: releaseManagers, at: date)
        }
    }

    /// Rejects a promotion that waits for approval; only one who may approve it may.
    public func reject(
        _ id: Promotion.ID, as approver: String, reason: String, releaseManagers: Set<String>
    ) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await store.decide(about: id, "reject \(id)") { promotion, state throws(PromotionError) in
            try state.rejection(of: promotion, by: approver, reason: reason, releaseManagers: releaseManagers, at: date)
        }
    }

    /// Records the promotion applied at `deployCommit` and moves its environment.
    func markApplied(_ id: Promotion.ID, deployCommit: String) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await store.decide(about: id, "mark \(id) applied") { promotion, state throws(PromotionError) in
            try state.application(of: promotion, deployCommit: deployCommit, at: date)
        }
    }

    /// Ends an approved promotion that can never be written as it is; returns it as it ended up.
    @discardableResult
    func markFailed(_ id: Promotion.ID, reason: String) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await store.decide(about: id, "mark \(id) failed") { promotion, state in
            state.failure(of: promotion, reason: reason, at: date)
        }
    }

    /// Notes why an approved promotion's write did not happen yet; returns it as it is now.
    @discardableResult
    func noteWriteDelayed(_ id: Promotion.ID, reason: String) async throws(PromotionError) -> Promotion {
        let date = clock.now
        return try await store.decide(about: id, "note on \(id)") { promotion, state in
            state.delay(of: promotion, reason: reason, at: date)
        }
    }

    /// Rolls `environment` back to an earlier version of `model` and pins it.
    func requestRollback(
        of model: String, in environment: String, to target: ModelVersion.Number? = nil, by actor: String, reason: String
    ) async throws(PromotionError) -> Promotion {
        let date = clock.now
        let decided = try await store.decide(in: environment, of: model, "roll back \(model) in \(environment)") {
            state throws(PromotionError) in
            try state.rollback(to: target, by: actor, reason: reason, at: date)
        }
        guard let promotion = decided.promotion else {
            throw PromotionError(.store, "the rollback of \(model) in \(environment) was not recorded")
        }
        return promotion
    }

    /// Freezes promotion into an environment: its promotions wait, saying why, until `unpin`.
    public func pin(_ model: String, environment: String, by actor: String, reason: String) async throws(PromotionError) {
        let date = clock.now
        _ = try await store.decide(in: environment, of: model, "pin \(model) in \(environment)") { state in
            state.pinning(by: actor, reason: reason, at: date)
        }
    }

    /// Lifts a pin: waiting promotions that have their approvals (or need none) are approved.
    public func unpin(_ model: String, environment: String, by actor: String) async throws(PromotionError) {
        let date = clock.now
        _ = try await store.decide(in: environment, of: model, "unpin \(model) in \(environment)") {
            state throws(PromotionError) in
            try state.unpinning(by: actor, at: date)
        }
    }

    /// Points `environment` at `number` (nil empties it) and records the move with who and why.
    func moveEnvironment(
        _ environment: String, of model: String, to number: ModelVersion.Number?, actor: String, reason: String
    ) async throws(PromotionError) -> EnvironmentChange {
        let date = clock.now
        let decided = try await store.decide(in: environment, of: model, "move \(model) in \(environment)") { state in
            state.move(to: number, actor: actor, reason: reason, at: date)
        }
        guard let move = decided.change.move else {
            throw PromotionError(.store, "the move of \(model) in \(environment) was not recorded")
        }
        return move
    }
}
