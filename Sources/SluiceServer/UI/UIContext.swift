import Foundation
import SluiceCore

/// What each page's template reads: the store's values turned into strings a person reads.
enum UIContext {
    /// The most of a step's log a run page shows at first; the page's script follows the rest.
    static let logTailBytes = 64 << 10

    static func runRow(_ run: Run, trigger: Trigger.Kind?) -> [String: Any] {
        // Mustache would print an optional held in `Any` as "nil", so absent values get no key.
        var row: [String: Any] = [
            "id": run.id.rawValue, "state": run.state.rawValue, "project": run.project ?? "—",
            "commit": String(run.commit.prefix(12)), "fullCommit": run.commit, "repository": run.repository,
            "trigger": trigger.map { "\($0.rawValue) (trigger \(run.triggerID ?? 0))" } ?? "sluice run",
            "started": time(run.startedAt), "duration": duration(from: run.startedAt, to: run.finishedAt),
            "reason": run.reason ?? "",
        ]
        row["model"] = run.conclusion.model
        row["artifact"] = run.conclusion.artifactDigest
        row["cachedFrom"] = run.conclusion.cachedFrom?.rawValue
        row["reportProblem"] = run.reportProblem
        return row
    }

    static func step(_ step: RunStep, of run: Run.ID, stateDirectory: URL) -> [String: Any] {
        let directory = RunDirectory(stateDirectory: stateDirectory, run: run)
        let size = directory.logSize(of: step.name)
        let start = max(0, size - logTailBytes)
        let log = (start > 0 ? "… (the first \(start) bytes are in the API)\n" : "")
            + String(decoding: directory.logBytes(of: step.name, from: start, limit: size - start), as: UTF8.self)
        return [
            "name": step.name, "command": step.command, "runID": run.rawValue, "outcome": step.outcome ?? "running",
            "badge": step.succeeded.map { $0 ? "passed" : "failed" } ?? "running",
            "duration": duration(from: step.startedAt, to: step.endedAt), "log": log, "logBytes": size,
        ]
    }

    static func gate(_ report: GateReport) -> [String: Any] {
        [
            "verdict": report.passed ? "gate passed" : "gate failed", "verdictClass": report.passed ? "pass" : "fail",
            "baseline": report.baselineLabel ?? "no baseline yet",
            "checks": report.checks.map { check -> [String: Any] in
                [
                    "metric": check.metric, "rule": check.ruleText, "candidate": check.candidateText,
                    "baseline": check.baselineText, "delta": check.deltaText, "result": check.verdict.label,
                    "verdictClass": check.verdict == .noBaseline ? "no-baseline" : check.verdict.rawValue,
                ]
            },
            "failures": report.checks.filter { $0.verdict == .fail }.map { "\($0.metric): \($0.reason)" },
        ]
    }

    static func version(_ version: ModelVersion) -> [String: Any] {
        let hex = version.artifactDigest.hex
        return [
            "number": version.number.description, "rawNumber": version.number.rawValue, "registered": time(version.registeredAt), "run": version.run.id.rawValue,
            "commit": String(version.run.commit.prefix(12)), "branch": version.branch ?? "—",
            "data": version.run.conclusion.dataVersions.sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value.short)" }.joined(separator: ", "),
            "environment": version.run.conclusion.environment.map {
                "python \($0.python), \($0.requirements) \($0.requirementsDigest.short)"
            } ?? "—",
            "metrics": (version.run.conclusion.metrics?.values ?? [:]).sorted { $0.key < $1.key }
                .map { "\($0.key) \(number($0.value))" }.joined(separator: ", "),
            "digestHex": hex, "digestShort": version.artifactDigest.short,
        ]
    }

    static func chart(_ chart: MetricChart) -> [String: Any] {
        var values: [String: Any] = [
            "metric": chart.metric, "svg": chart.svg,
            "anchor": "metric-" + String(chart.metric.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }),
        ]
        if chart.versionCount > chart.points.count {
            values["note"] = "the newest \(chart.points.count) of \(chart.versionCount) versions"
        }
        return values
    }

    static func change(_ change: EnvironmentChange) -> [String: Any] {
        [
            "at": time(change.at), "from": change.from?.description ?? "—", "to": change.to?.description ?? "—",
            "actor": change.actor, "reason": change.reason,
        ]
    }

    static func promotion(_ promotion: Promotion) -> [String: Any] {
        var values: [String: Any] = [
            "id": promotion.id.rawValue, "state": promotion.state.rawValue, "pending": promotion.state == .pendingApproval, "model": promotion.model, "version": promotion.version.description,
            "environment": promotion.environment, "requested": time(promotion.requestedAt),
            "approvalCount": promotion.approvals.count, "required": promotion.requiredApprovals,
            "approvers": promotion.approvers.isEmpty ? "release managers" : promotion.approvers.joined(separator: ", "),
            "broughtBy": promotion.broughtBy.isEmpty ? "—" : promotion.broughtBy.joined(separator: ", "),
        ]
        values["deployCommit"] = promotion.deployCommit.map { String($0.prefix(12)) }
        return values
    }

    static func audit(_ entry: AuditEntry) -> [String: Any] {
        [
            "sequence": entry.sequence, "at": time(entry.at), "actor": entry.actor, "action": entry.action,
            "subject": entry.subject,
            "details": entry.details.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "),
        ]
    }

    /// A metric's value as pages write it: four significant digits.
    static func number(_ value: Double) -> String { String(format: "%.4g", value) }

    /// `2026-12-01 09:41:02 UTC`
    static func time(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .timeSeparator(.colon).dateTimeSeparator(.space)) + " UTC"
    }

    /// `4.2 s`, `3 min 05 s`; `running` while there is no end.
    static func duration(from start: Date, to end: Date?) -> String {
        guard let end else { return "running" }
        let seconds = end.timeIntervalSince(start)
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }
}
