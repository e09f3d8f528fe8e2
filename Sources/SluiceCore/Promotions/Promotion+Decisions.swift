/// The rules of deciding a promotion, as pure functions of the promotion and who decides: the
/// store persists what they allow, in one transaction with the read they were made on.
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
