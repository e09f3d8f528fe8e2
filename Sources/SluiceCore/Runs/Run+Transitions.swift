import Foundation

/// A run's moves (started, finished, abandoned by a dead server) and what each records, as pure
/// functions: the store writes the row and these audit entries in one transaction.
extension Run {
    /// Why a run ends in `error` when its server died under it.
    static let abandonedReason = "the server stopped during this run (its lease ran out)"

    /// The `run.started` entry of a run of `commit` in `repository`.
    static func startNote(
        _ id: ID, project: String?, repository: String, commit: String, branch: String?, trigger: Int64?
    ) -> AuditEntry.Draft {
        var details = ["repository": repository, "commit": commit]
        details["project"] = project
        details["branch"] = branch
        details["trigger"] = trigger.map { String($0) }
        return AuditEntry.Draft(actor: "sluice", action: "run.started", subject: id.description, details: details)
    }

    /// The entries a run's end makes: `run.finished`, then the gate's verdict when it was evaluated.
    static func finishNotes(_ id: ID, state: State, reason: String?, conclusion: Conclusion) -> [AuditEntry.Draft] {
        var details = ["state": state.rawValue]
        details["reason"] = reason
        details["model"] = conclusion.model
        details["artifact"] = conclusion.artifactDigest?.description
        details["cached_from"] = conclusion.cachedFrom?.description
        var drafts = [AuditEntry.Draft(actor: "sluice", action: "run.finished", subject: id.description, details: details)]
        if let report = conclusion.gateReport {
            var gate: [String: String] = [:]
            var failedMetrics: [String] = []
            for check in report.checks where check.verdict == .fail && !failedMetrics.contains(check.metric) {
                failedMetrics.append(check.metric)
            }
            gate["failed"] = failedMetrics.isEmpty ? nil : failedMetrics.joined(separator: ", ")
            gate["baseline"] = report.baselineLabel
            gate["model"] = conclusion.model
            drafts.append(
                AuditEntry.Draft(
                    actor: "sluice", action: report.passed ? "gate.passed" : "gate.failed", subject: id.description,
                    details: gate))
        }
        return drafts
    }
}

extension AbandonedTrigger {
    /// What becomes of a trigger whose lease ran out after `attempts` claims: queued again while
    /// it has attempts left, else failed with this outcome.
    static func outcome(afterAttempts attempts: Int, maxAttempts: Int) -> String? {
        attempts < maxAttempts ? nil : "the server stopped during its run \(attempts) times; not tried again"
    }
}
