import Foundation

/// The rules of promotion, as pure functions of what the store read (``EnvironmentState``, the
/// promotion) and who decides. Each returns the ``PromotionChange`` it decided or throws the
/// refusal, with its message; the store writes the change in the transaction it read in.
extension EnvironmentState {
    /// Asks to move `version` here under `policy` (the server's, as planned for this version). An
    /// `auto` environment's promotion is approved at once unless pinned; a protected one waits for
    /// approvals. Open promotions of older versions here are superseded.
    public func request(
        _ version: ModelVersion, under policy: EnvironmentPolicy, by requester: String, at date: Date
    ) -> PromotionChange {
        var change = PromotionChange(self, at: date)
        change.supersede(
            open.filter { $0.version < version.number }, reason: "superseded by \(version.number)", by: version.label)
        let promotion = Promotion(
            id: Promotion.ID(0), model: model, version: version.number, environment: environment,
            state: Promotion.initialState(under: policy, pinned: pin != nil), requestedBy: requester,
            requiredApprovals: policy.auto ? 0 : policy.approvals, approvers: policy.approvers, broughtBy: version.broughtBy,
            allowSelfApproval: policy.allowSelfApproval, approvals: [], reason: pin?.waitingReason(in: environment),
            deployCommit: nil, rollbackReason: nil, requestedAt: date, updatedAt: date)
        change.created = promotion
        change.notes.append(
            .init(
                actor: requester, action: "promotion.requested", subject: .created,
                details: [
                    "version": version.label, "environment": environment, "state": promotion.state.rawValue,
                    "required_approvals": String(promotion.requiredApprovals),
                ]))
        return change
    }

    /// Records `approver`'s approval of `promotion`; it is approved once it has enough distinct
    /// ones and the environment is not pinned. `releaseManagers` decide where it lists no approvers.
    public func approval(
        of promotion: Promotion, by approver: String, releaseManagers: Set<String>, at date: Date
    ) throws(PromotionError) -> PromotionChange {
        if let refusal = promotion.approvalRefusal(by: approver, releaseManagers: releaseManagers) {
            throw refusal
        }
        var change = PromotionChange(self, at: date, answer: promotion.id)
        let approval = Promotion.Approval(approver: approver, at: date)
        change.approval = (promotion.id, approval)
        change.notes.append(.init(actor: approver, action: "promotion.approval", subject: .promotion(promotion.id)))
        var approved = promotion
        approved.approvals.append(approval)
        approved.updatedAt = date
        if promotion.completedByOneMoreApproval, pin == nil {
            approved.state = .approved
            change.notes.append(
                .init(
                    actor: "sluice", action: "promotion.approved", subject: .promotion(promotion.id),
                    details: ["approvals": String(approved.approvals.count)]))
        }
        change.updated = [approved]
        return change
    }

    /// Rejects a promotion that waits for approval; only one who may approve it may.
    public func rejection(
        of promotion: Promotion, by approver: String, reason: String, releaseManagers: Set<String>, at date: Date
    ) throws(PromotionError) -> PromotionChange {
        if let refusal = promotion.refusal(of: "reject", by: approver, releaseManagers: releaseManagers) {
            throw refusal
        }
        var change = PromotionChange(self, at: date, answer: promotion.id)
        var rejected = promotion
        rejected.state = .rejected
        rejected.reason = "rejected by \(approver): \(reason)"
        rejected.updatedAt = date
        change.updated = [rejected]
        change.notes.append(
            .init(actor: approver, action: "promotion.rejected", subject: .promotion(promotion.id), details: ["reason": reason]))
        return change
    }

    /// Records that `promotion`'s manifest is on the deploy repository's remote at `deployCommit`,
    /// and moves the environment to its version. Applying twice changes nothing.
    ///
    /// A promotion superseded while its write was under way is applied all the same: its commit
    /// is on the remote, so the environment does hold that version until the newer one lands.
    public func application(
        of promotion: Promotion, deployCommit: String, at date: Date
    ) throws(PromotionError) -> PromotionChange {
        var change = PromotionChange(self, at: date, answer: promotion.id)
        if promotion.state == .applied { return change }
        guard promotion.state == .approved || promotion.state == .superseded else {
            throw PromotionError(.notPending, "\(promotion.id) is \(promotion.state.rawValue), not approved; it cannot be applied")
        }
        var applied = promotion
        applied.state = .applied
        applied.deployCommit = deployCommit
        applied.reason = nil
        applied.updatedAt = date
        change.updated = [applied]
        change.notes.append(
            .init(
                actor: "sluice", action: "promotion.applied", subject: .promotion(promotion.id),
                details: ["deploy_commit": deployCommit]))
        let approvers = promotion.approvals.map(\.approver)
        change.include(
            move(
                to: promotion.version, actor: approvers.isEmpty ? promotion.requestedBy : approvers.joined(separator: ", "),
                reason: promotion.rollbackReason.map { "rollback (\(promotion.id)): \($0)" } ?? "\(promotion.id)", at: date))
        return change
    }

    /// Ends an approved promotion that can never be written as it is (its manifest does not
    /// render, its spec cannot be read); `reason` says what to fix. Any other is left as it is.
    public func failure(of promotion: Promotion, reason: String, at date: Date) -> PromotionChange {
        var change = PromotionChange(self, at: date, answer: promotion.id)
        guard promotion.state == .approved else { return change }
        var failed = promotion
        failed.state = .failed
        failed.reason = reason
        failed.updatedAt = date
        change.updated = [failed]
        change.notes.append(
            .init(actor: "sluice", action: "promotion.failed", subject: .promotion(promotion.id), details: ["reason": reason]))
        return change
    }

    /// Notes on an approved promotion why its write did not happen yet (the deploy repository is
    /// unreachable, refused the credentials, kept moving); it stays approved and is tried again.
    public func delay(of promotion: Promotion, reason: String, at date: Date) -> PromotionChange {
        var change = PromotionChange(self, at: date, answer: promotion.id)
        guard promotion.state == .approved else { return change }
        var delayed = promotion
        delayed.reason = "not written yet: \(reason)"
        delayed.updatedAt = date
        change.updated = [delayed]
        return change
    }

    /// Rolls the environment back to an earlier version: a promotion approved at once on the
    /// release manager's word, which supersedes the open promotions here and pins the environment
    /// so automation cannot undo it.
    ///
    /// Without `target`, the version held before the current one. Only a version held here before
    /// is allowed: a rollback returns to something that was approved here, it cannot bring in a
    /// version that never was.
    public func rollback(
        to target: ModelVersion.Number?, by actor: String, reason: String, at date: Date
    ) throws(PromotionError) -> PromotionChange {
        guard let current else {
            throw PromotionError(.invalidRollback, "\(environment) holds no version of \(model); there is nothing to roll back")
        }
        let earlier = held.filter { $0 != current }
        let version: ModelVersion.Number
        if let target {
            guard target != current else {
                throw PromotionError(.invalidRollback, "\(environment) already holds \(model) \(target)")
            }
            guard earlier.contains(target) else {
                let listed = Set(earlier).sorted().map(\.description).joined(separator: ", ")
                throw PromotionError(
                    .invalidRollback,
                    "\(environment) never held \(model) \(target); a rollback goes back to a version it held before "
                        + (listed.isEmpty ? "(it has held no other)" : "(\(listed))") + ", anything else needs a promotion")
            }
            version = target
        } else {
            guard let previous = earlier.last else {
                throw PromotionError(
                    .invalidRollback, "\(environment) has held only \(model) \(current); there is no earlier version to roll back to")
            }
            version = previous
        }
        var change = PromotionChange(self, at: date)
        change.supersede(open, reason: "superseded by the rollback to \(version)", by: "rollback to \(model) \(version)")
        change.created = Promotion(
            id: Promotion.ID(0), model: model, version: version, environment: environment, state: .approved,
            requestedBy: actor, requiredApprovals: 0, approvers: [], broughtBy: [], allowSelfApproval: false, approvals: [],
            reason: nil, deployCommit: nil, rollbackReason: reason, requestedAt: date, updatedAt: date)
        change.notes.append(
            .init(
                actor: actor, action: "promotion.rollback", subject: .created,
                details: ["environment": environment, "from": current.description, "to": version.description, "reason": reason]))
        var superseded = self
        superseded.open = []
        change.include(superseded.pinning(by: actor, reason: "rolled back to \(version): \(reason)", at: date))
        return change
    }

    /// Freezes promotion into the environment: its waiting promotions say why, until unpinned.
    func pinning(by actor: String, reason: String, at date: Date) -> PromotionChange {
        var change = PromotionChange(self, at: date)
        let pin = EnvironmentPin(by: actor, reason: reason)
        change.pin = .set(pin)
        for var promotion in open where promotion.state == .pendingApproval {
            promotion.reason = pin.waitingReason(in: environment)
            promotion.updatedAt = date
            change.updated.append(promotion)
        }
        change.notes.append(.init(actor: actor, action: "environment.pinned", subject: .environment, details: ["reason": reason]))
        return change
    }

    /// Lifts the pin: waiting promotions that have their approvals (or need none) are approved.
    func unpinning(by actor: String, at date: Date) throws(PromotionError) -> PromotionChange {
        guard pin != nil else {
            throw PromotionError(.notFound, "\(environment) is not pinned for \(model)")
        }
        var change = PromotionChange(self, at: date)
        change.pin = .lift
        for var promotion in open where promotion.state == .pendingApproval {
            if promotion.approvals.count >= promotion.requiredApprovals {
                promotion.state = .approved
            }
            promotion.reason = nil
            promotion.updatedAt = date
            change.updated.append(promotion)
        }
        change.notes.append(.init(actor: actor, action: "environment.unpinned", subject: .environment))
        return change
    }

    /// Points the environment at `number` (nil empties it), recording who moved it and why.
    public func move(
        to number: ModelVersion.Number?, actor: String, reason: String, at date: Date
    ) -> PromotionChange {
        var change = PromotionChange(self, at: date)
        change.move = EnvironmentChange(
            model: model, environment: environment, from: current, to: number, actor: actor, reason: reason, at: date)
        change.notes.append(
            .init(
                actor: actor, action: "environment.moved", subject: .environment,
                details: ["from": current?.description ?? "", "to": number?.description ?? "", "reason": reason]))
        return change
    }
}

extension Promotion {
    /// The state a new promotion under `policy` starts in: approved at once when the environment
    /// promotes automatically and is not pinned, else waiting for approvals.
    static func initialState(under policy: EnvironmentPolicy, pinned: Bool) -> State {
        policy.auto && !pinned ? .approved : .pendingApproval
    }

    /// Whether `login` may approve or reject this promotion: one of its approvers, or, when it
    /// lists none, one of `releaseManagers`.
    func mayDecide(_ login: String, releaseManagers: Set<String>) -> Bool {
        let people = approvers.isEmpty ? Array(releaseManagers) : approvers
        return people.contains { Login.same($0, login) }
    }

    /// Why `login` may not `verb` (approve, reject) this promotion, or nil when they may.
    func refusal(of verb: String, by login: String, releaseManagers: Set<String>) -> PromotionError? {
        guard state == .pendingApproval else {
            return PromotionError(.notPending, "\(id) is \(state.rawValue), not waiting for approval")
        }
        guard mayDecide(login, releaseManagers: releaseManagers) else {
            let allowed =
                approvers.isEmpty
                ? "it lists no approvers, so release managers decide: " + (releaseManagers.isEmpty ? "nobody" : releaseManagers.sorted().joined(separator: ", "))
                : "approvers: " + approvers.joined(separator: ", ")
            return PromotionError(
                .notApprover, "\(login) is not an approver of \(environment) and cannot \(verb) \(id) (\(allowed))")
        }
        return nil
    }

    /// Why `login`'s approval is refused, or nil when it counts: deciders only, never twice, and
    /// nobody who brought the version unless the environment allows self-approval.
    func approvalRefusal(by login: String, releaseManagers: Set<String>) -> PromotionError? {
        if let refusal = refusal(of: "approve", by: login, releaseManagers: releaseManagers) {
            return refusal
        }
        if !allowSelfApproval, broughtBy.contains(where: { Login.same($0, login) }) {
            return PromotionError(
                .selfApproval,
                "\(login) brought \(model) \(version) (it was pushed or authored by \(broughtBy.joined(separator: ", "))) and "
                    + "cannot approve its promotion; another approver must (or the operator sets allow_self_approval: true "
                    + "for \(environment) in the server config)")
        }
        if approvals.contains(where: { Login.same($0.approver, login) }) {
            return PromotionError(.alreadyApproved, "\(login) already approved \(id); approvals must come from distinct approvers")
        }
        return nil
    }

    /// Whether one more approval completes the promotion.
    var completedByOneMoreApproval: Bool {
        approvals.count + 1 >= requiredApprovals
    }
}
