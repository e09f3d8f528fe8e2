import Curl
import Foundation
import Logging

/// Tells the forge how a run goes: a `sluice/gate` commit status when it starts and when it
/// ends, and, for a pull request, one comment with the gate table that each later run of that
/// pull request edits in place; and answers every comment command on its pull request with
/// what was done or why it was refused.
///
/// A report never changes a run: when the forge still refuses after the HTTP client's retries,
/// the failure is logged and kept on the run (`Run.reportProblem`), and the run goes on.
/// Projects without a forge token (and generic ones) are not reported.
public struct RunReporter: Sendable {
    private let forges: [String: any Forge]
    private let publicURL: URL?
    private let store: Store
    private let logger: Logger

    public init(config: ServerConfig, store: Store, http: HTTPClient, logger: Logger) {
        var forges: [String: any Forge] = [:]
        for project in config.projects {
            forges[project.name] = project.forge(http: http)
        }
        self.forges = forges
        self.publicURL = config.publicURL
        self.store = store
        self.logger = logger
    }

    /// The hidden line that finds Sluice's comment on a pull request again.
    public static func marker(project: String, pullRequest: Int) -> String {
        "<!-- sluice:pull-request=\(project)#\(pullRequest) -->"
    }

    /// The run's page in the web UI, when the server knows its public address.
    public func page(of run: Run.ID) -> String? {
        publicURL.map { $0.appendingPathComponent("runs/\(run.rawValue)").absoluteString }
    }

    /// A model's page in the web UI (its versions, and a chart of each metric across them).
    public func page(ofModel model: String) -> String? {
        publicURL.map { $0.appendingPathComponent("models/\(model)").absoluteString }
    }

    /// Posts `running` (GitHub: `pending`) for a run that just started.
    public func started(_ run: Run.ID, project: String, target: ReportTarget) async {
        let status = CommitStatus(state: .running, description: "\(run) is running", targetURL: page(of: run))
        await report(run, project: project) { forge throws(ForgeError) in
            try await forge.setStatus(status, of: target.commit)
        }
    }

    /// Posts a status on a commit that has no run yet (a fork's pull request waiting for a
    /// maintainer's `/sluice run`).
    public func waiting(project: String, target: ReportTarget, because description: String) async {
        guard let forge = forges[project] else { return }
        do {
            try await forge.setStatus(CommitStatus(state: .pending, description: description, targetURL: nil), of: target.commit)
        } catch {
            logger.warning("could not report to the forge of \(project): \(error.message)")
        }
    }

    /// Posts the run's final status and, for a pull request, its comment.
    public func finished(_ run: Run, target: ReportTarget) async {
        guard let project = run.project else { return }
        let status = CommitStatus(state: Self.state(of: run), description: Self.summary(of: run), targetURL: page(of: run.id))
        await report(run.id, project: project) { forge throws(ForgeError) in
            try await forge.setStatus(status, of: target.commit)
            if let number = target.pullRequest {
                let marker = Self.marker(project: project, pullRequest: number)
                try await forge.upsertComment(
                    comment(on: run, marker: marker, limit: forge.maxCommentLength), marker: marker, onPullRequest: number)
            }
        }
    }

    /// Answers a `/sluice` comment on its pull request: `outcome` says what was done, or why not.
    public func answer(_ command: CommentCommand, _ outcome: CommandAnswer) async {
        guard let forge = forges[command.project] else { return }
        do {
            try await forge.addComment(outcome.body(for: command), onPullRequest: command.number)
        } catch {
            logger.warning("could not answer /sluice \(command.verb.rawValue) on \(command.project) #\(command.number): \(error.message)")
        }
    }

    /// The pull-request comment: the marker, a heading with the commit, the run and the model's
    /// chart of its metrics across versions, the gate table
    /// (or why there is none), cut to fit below `limit` characters.
    func comment(on run: Run, marker: String, limit: Int) -> String {
        let link = page(of: run.id).map { "[\(run.id)](\($0))" } ?? "\(run.id)"
        let chart = run.conclusion.model.flatMap { model in
            page(ofModel: model).map { " · [\(model)'s metrics across versions](\($0)#metrics)" }
        } ?? ""
        var body = "\(marker)\n**Sluice** · commit `\(run.commit.prefix(12))` · \(link) · \(run.state.rawValue)\(chart)\n\n"
        if let report = run.conclusion.gateReport {
            body += report.markdown
        } else {
            body += "No gate table: \(run.reason ?? "the run ended before the gate")\n"
        }
        if let cached = run.conclusion.cachedFrom {
            body += "\nTraining reused from \(cached) (same code, data and spec).\n"
        }
        let note = "\n\n… cut to fit the forge's comment limit; the whole table is on the run's page.\n"
        guard body.count > limit else { return body }
        return String(body.prefix(limit - note.count)) + note
    }

    /// The status a finished run shows.
    static func state(of run: Run) -> CommitStatus.State {
        switch run.state {
        case .running: .running
        case .passed, .skipped: .success
        case .gateFailed, .failed: .failure
        case .error, .cancelled, .superseded: .error
        }
    }

    /// The status description: the run's reason, which says what passed, failed or went wrong.
    static func summary(of run: Run) -> String {
        "\(run.id): \(run.reason ?? run.state.rawValue)"
    }

    /// Sends one report and records how it went on the run.
    private func report(
        _ run: Run.ID, project: String, _ send: (any Forge) async throws(ForgeError) -> Void
    ) async {
        guard let forge = forges[project] else { return }
        var problem: String?
        do {
            try await send(forge)
        } catch {
            problem = error.message
            logger.warning("could not report \(run) to the forge of \(project): \(error.message)")
        }
        do {
            try await store.noteReportProblem(run, problem)
        } catch {
            logger.error("could not record how reporting \(run) went: \(error)")
        }
    }
}
