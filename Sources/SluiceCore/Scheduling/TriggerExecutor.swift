import Foundation
import Git
import Logging
import Synchronization

/// Carries out one claimed trigger: decides what it asks for, runs the gate, registers and
/// promotes what passed on a release branch, reports to the forge, and ends the trigger.
///
/// - push: the pushed commit; a deleted branch or a tag runs nothing.
/// - pull request opened, updated or reopened: its head, gated and reported, never registered;
///   a fork's waits for a maintainer's `/sluice run`.
/// - `/sluice run` and `/sluice retrain` from a maintainer: the pull request's newest head; a
///   fork's code runs sandboxed and without the project's step secrets.
/// - data arrival: the release-branch head of every project whose spec reads the dataset, with
///   the new data version.
/// - alert: the release-branch head of the alert's project, trained again.
/// - an engineer's run (API): a branch head, or a commit, registered only when it is a branch's
///   head.
struct TriggerExecutor: Sendable {
    /// GitHub's `author_association` values of people who may run a fork's code.
    static let maintainerAssociations: Set<String> = ["OWNER", "MEMBER", "COLLABORATOR"]

    let config: ServerConfig
    let store: Store
    let workspace: Workspace
    let gateRunner: GateRunner
    let registrar: Registrar
    let promoter: Promoter
    let reporter: RunReporter
    let logger: Logger

    /// Records how a claimed trigger ended, or on shutdown leaves it queued; writes nothing
    /// once the claim no longer holds, since the replica that took the trigger over records it.
    func record(_ ending: (end: TriggerEnd, outcome: String), of trigger: QueuedTrigger, claim: TriggerClaim, stop: RunStop) async {
        let held: Bool
        do {
            switch stop.requested {
            case .shutdown:
                held = try await store.releaseTrigger(claim)
            case .superseded(let why):
                held = try await store.finishTrigger(claim, as: .superseded, outcome: why)
            case .cancelled(let why):
                held = try await store.finishTrigger(claim, as: .cancelled, outcome: why)
            case .claimLost:
                held = false
            case nil:
                held = try await store.finishTrigger(claim, as: ending.end, outcome: ending.outcome)
            }
        } catch {
            logger.error("could not record the end of trigger \(trigger.id): \(error)")
            return
        }
        guard held else {
            logger.warning("\(LostClaim(claim: claim))", metadata: ["outcome": "\(ending.outcome)"])
            return
        }
        logger.info(
            "trigger \(trigger.id) \(stop.requested == nil ? ending.end.rawValue : "stopped")",
            metadata: ["kind": "\(trigger.trigger.kind.rawValue)", "outcome": "\(ending.outcome)"])
    }

    /// Carries `queued` out under `claim`; returns how it ended, for `record`.
    func execute(_ queued: QueuedTrigger, claim: TriggerClaim, stop: RunStop) async -> (end: TriggerEnd, outcome: String) {
        switch queued.trigger {
        case .push(let push):
            guard let project = config.project(named: push.project) else { return Self.unknown(push.project) }
            guard push.refKind == .branch, !push.deleted else {
                return (.done, push.deleted ? "the branch was deleted; nothing to run" : "tags are not run")
            }
            return await perform(
                [RunOrder(
                    project: project, revision: push.after, branch: push.name, comparedWith: .lastTrained,
                    report: ReportTarget(commit: push.after))],
                claim: claim, stop: stop)

        case .pullRequest(let pullRequest):
            guard let project = config.project(named: pullRequest.project) else { return Self.unknown(pullRequest.project) }
            guard pullRequest.action != .closed, pullRequest.action != .merged else {
                return (.done, "pull request #\(pullRequest.number) is closed; nothing to run")
            }
            let target = ReportTarget(commit: pullRequest.headSHA, pullRequest: pullRequest.number)
            if pullRequest.isFork {
                await reporter.waiting(
                    project: project.name, target: target, because: "a fork's pull request: waiting for a maintainer's /sluice run")
                return (.done, "pull request #\(pullRequest.number) comes from a fork; it runs after a maintainer comments /sluice run")
            }
            return await perform(
                [RunOrder(project: project, revision: pullRequest.headSHA, comparedWith: .none, report: target)],
                claim: claim, stop: stop)

        case .command(let command):
            return await runCommand(command, claim: claim, stop: stop)

        case .dataArrival(let arrival):
            var orders: [RunOrder] = []
            for project in config.projects {
                guard let head = await releaseHead(of: project), head.spec.inputs.data.contains(where: { $0.name == arrival.dataset })
                else { continue }
                orders.append(
                    RunOrder(
                        project: project, revision: head.commit, branch: head.spec.releaseBranch, comparedWith: .none,
                        dataArrival: arrival, spec: head.spec))
            }
            guard !orders.isEmpty else { return (.done, "no project's spec reads dataset \(arrival.dataset)") }
            return await perform(orders, claim: claim, stop: stop)

        case .alert(let alert):
            guard let project = config.project(named: alert.project) else { return Self.unknown(alert.project) }
            guard let head = await releaseHead(of: project) else {
                return (.failed, "could not read the release branch of \(project.name); see the server log")
            }
            return await perform(
                [RunOrder(
                    project: project, revision: head.commit, branch: head.spec.releaseBranch, comparedWith: .none,
                    reuseCache: false, spec: head.spec)],
                claim: claim, stop: stop)

        case .manual(let manual):
            guard let project = config.project(named: manual.project) else { return Self.unknown(manual.project) }
            let target: (commit: String, branch: String?)
            switch await resolve(manual, in: project) {
            case .success(let found): target = found
            case .failure(let refusal): return (.failed, refusal.reason)
            }
            return await perform(
                [RunOrder(
                    project: project, revision: target.commit, branch: target.branch, comparedWith: .none,
                    reuseCache: !manual.retrain, report: ReportTarget(commit: target.commit))],
                claim: claim, stop: stop)
        }
    }

    /// Why an engineer's run cannot go ahead.
    private struct Refusal: Error {
        let reason: String
    }

    /// The commit an engineer's run is for, and its branch when the commit is that branch's head
    /// now: only a branch head registers, so a retry of an old commit cannot replace a newer
    /// version. The commit must be on one of the project's branches: a pull request's head that
    /// is not (a fork's code) is not the engineers' to run as trusted code, which is what a
    /// maintainer's `/sluice run` is for.
    private func resolve(_ manual: ManualRun, in project: ProjectConfig) async -> Result<(commit: String, branch: String?), Refusal> {
        let repository: Repository
        do {
            (repository, _) = try await workspace.refresh(project)
        } catch {
            logger.warning("\(error.message)")
            repository = workspace.mirror(for: project).repository
        }
        return await blocking { () -> Result<(commit: String, branch: String?), Refusal> in
            if let head = try? repository.resolve("refs/heads/\(manual.revision)") {
                return .success((head.hex, manual.revision))
            }
            guard let commit = try? repository.resolve(manual.revision) else {
                return .failure(Refusal(reason: "'\(manual.revision)' names no branch or commit of \(project.name)"))
            }
            let heads = ((try? repository.references()) ?? [:]).filter { $0.key.hasPrefix("refs/heads/") }
            guard heads.values.contains(where: { (try? repository.isAncestor(commit, of: $0)) == true }) else {
                return .failure(
                    Refusal(
                        reason: "commit \(commit.hex.prefix(12)) is on no branch of \(project.name) (a fork's pull request?); "
                            + "a maintainer runs a pull request's code with /sluice run"))
            }
            let branch = manual.branch.flatMap { branch in
                (try? repository.resolve("refs/heads/\(branch)")) == commit ? branch : nil
            }
            return .success((commit.hex, branch))
        }
    }

    /// `/sluice run` or `/sluice retrain` on a pull request, by a maintainer only.
    private func runCommand(_ command: CommentCommand, claim: TriggerClaim, stop: RunStop) async -> (TriggerEnd, String) {
        guard let project = config.project(named: command.project) else { return Self.unknown(command.project) }
        let isMaintainer = project.maintainers.contains(command.commenter)
            || (project.forge == .github && command.authorAssociation.map(Self.maintainerAssociations.contains) == true)
        guard isMaintainer else {
            return await refuse(
                command, trigger: claim.trigger, "\(command.commenter) is not a maintainer of \(project.name) (projects[].maintainers, or on GitHub an owner, member or collaborator)")
        }
        let pullRequest: PullRequest?
        do {
            pullRequest = try await store.latestPullRequest(of: project.name, number: command.number)
        } catch {
            return (.failed, "could not look up pull request #\(command.number): \(error)")
        }
        guard let pullRequest else {
            return await refuse(command, trigger: claim.trigger, "Sluice has had no webhook for pull request #\(command.number); push to it or reopen it")
        }
        guard pullRequest.action != .closed, pullRequest.action != .merged else {
            return await refuse(command, trigger: claim.trigger, "pull request #\(command.number) is closed")
        }
        await reporter.answer(command, .running(commit: pullRequest.headSHA, sandboxed: pullRequest.isFork))
        return await perform(
            [RunOrder(
                project: project, revision: pullRequest.headSHA, comparedWith: .none, trusted: !pullRequest.isFork,
                reuseCache: command.verb != .retrain,
                report: ReportTarget(commit: pullRequest.headSHA, pullRequest: pullRequest.number))],
            claim: claim, stop: stop)
    }

    private func refuse(_ command: CommentCommand, trigger: Int64, _ reason: String) async -> (TriggerEnd, String) {
        await reporter.answer(command, .refused(reason))
        do {
            try await store.recordRefusal(of: command, reason: reason, trigger: trigger)
        } catch {
            logger.error("could not record the refusal of /sluice \(command.verb.rawValue): \(error)")
        }
        return (.failed, reason)
    }

    /// Runs each order in turn; the trigger's outcome lists how each run ended.
    private func perform(_ orders: [RunOrder], claim: TriggerClaim, stop: RunStop) async -> (TriggerEnd, String) {
        var outcomes: [String] = []
        for order in orders {
            guard stop.requested == nil else { break }
            do {
                outcomes.append(try await perform(order, claim: claim, stop: stop))
            } catch where error.lostClaim != nil {
                stop.request(.claimLost(error.reason))
                return (.failed, error.reason)
            } catch {
                logger.error("could not record a run of \(order.project.name): \(error)")
                return (.failed, "the store failed: \(error)")
            }
        }
        return (.done, outcomes.joined(separator: "; "))
    }

    /// One run: fetch, gate, then register and promote on the release branch, and report.
    private func perform(_ order: RunOrder, claim: TriggerClaim, stop: RunStop) async throws(StoreError) -> String {
        let repository: Repository
        do {
            (repository, _) = try await workspace.refresh(order.project)
        } catch {
            // The run records why; the mirror may still hold the commit from an earlier fetch.
            logger.warning("\(error.message)")
            repository = workspace.mirror(for: order.project).repository
        }
        if claim.attempt > 1, let carried = try await store.version(registeredBy: claim.trigger, commit: order.revision) {
            return await carryOver(carried, of: order, from: repository)
        }
        let request = RunRequest(
            repository: repository, repositoryLabel: order.project.repo, project: order.project.name,
            policy: config.policy(of: order.project), revision: order.revision, branch: order.branch,
            comparedWith: order.comparedWith, baseline: .registry, trusted: order.trusted, network: order.project.network,
            dataArrival: order.dataArrival, claim: claim, stepSecrets: order.project.stepSecrets,
            reuseCache: order.reuseCache, spec: order.spec)

        // The pending status goes out as soon as the run has a number; the spec the run read
        // says whether the branch is its release branch.
        let pending = Mutex<Task<Void, Never>?>(nil)
        let spec = Mutex<PipelineSpec?>(nil)
        let reporter = reporter
        let run = try await gateRunner.run(request, stop: stop) { event in
            switch event {
            case .started(let id, _):
                guard let target = order.report else { return }
                pending.withLock { task in
                    task = Task { await reporter.started(id, project: order.project.name, target: target) }
                }
            case .specRead(let read):
                spec.withLock { $0 = read }
            default:
                break
            }
        }
        await pending.withLock { $0 }?.value
        var outcome = "\(run.id) \(run.state.rawValue)"
        if run.state == .passed, stop.requested == nil, let branch = order.branch, let spec = spec.withLock({ $0 }) {
            if branch == spec.releaseBranch {
                outcome += try await registerAndPromote(run, spec: spec, branch: branch, from: repository, claim: claim)
            } else if let warning = await blocking({ spec.missingReleaseBranch(in: repository) }) {
                logger.warning("\(order.project.name): \(warning)")
                outcome += "; \(warning)"
            }
        }
        if let target = order.report {
            await reporter.finished(run, target: target)
        }
        return outcome
    }

    /// Registers a passed release-branch run, with who brought its commit and the pull request
    /// it merges, and promotes the new version; says what happened. Throws only when the claim
    /// was lost, so that nothing more is written or reported.
    private func registerAndPromote(
        _ run: Run, spec: PipelineSpec, branch: String, from repository: Repository, claim: TriggerClaim
    ) async throws(StoreError) -> String {
        let version: ModelVersion
        do {
            let commit = ObjectID(hex: run.commit)
            let parents = await blocking { () -> [ObjectID] in commit.flatMap { try? repository.commit($0).parents } ?? [] }
            let provenance = try await store.provenance(
                of: run.commit, in: run.project ?? "", mergedHeads: parents.dropFirst().map(\.hex))
            version = try await registrar.register(run.id, branch: branch, provenance: provenance, claim: claim)
        } catch let error as RegistryError where error.code == .claimLost {
            throw StoreError(operation: "register \(run.id)", underlying: LostClaim(claim: claim))
        } catch let error as RegistryError {
            logger.error("could not register \(run.id): \(error.message)")
            return ", not registered: \(error.message)"
        } catch {
            logger.error("could not register \(run.id): \(error)")
            return ", not registered: \(error)"
        }
        do {
            let outcome = try await promoter.promote(version, spec: spec)
            let states = outcome.promotions.map { "\($0.environment) \($0.state.rawValue)" } + outcome.skipped
            return ", registered \(version.model) \(version.number)" + (states.isEmpty ? "" : " (\(states.joined(separator: ", ")))")
        } catch {
            logger.error("could not promote \(version.model) \(version.number): \(error.message)")
            return ", registered \(version.model) \(version.number), not promoted: \(error.message)"
        }
    }

    /// Finishes what an interrupted attempt of the trigger left: its run registered `version`
    /// before its server died, so the version is not trained or registered again; it is
    /// promoted if the attempt did not get that far, and reported.
    private func carryOver(_ version: ModelVersion, of order: RunOrder, from repository: Repository) async -> String {
        var outcome = "\(version.run.id) passed, registered \(version.model) \(version.number) by an interrupted attempt"
        do {
            if try await store.promotions(of: version.model, version: version.number).isEmpty {
                let commit = ObjectID(hex: version.run.commit)
                let spec = try await blocking { () throws(RunError) -> PipelineSpec in
                    guard let commit else { throw RunError(.workspace, "\(version.run.commit) is not a commit id") }
                    return try GateRunner.readSpec(repository, commit)
                }
                let promoted = try await promoter.promote(version, spec: spec)
                let states = promoted.promotions.map { "\($0.environment) \($0.state.rawValue)" } + promoted.skipped
                if !states.isEmpty { outcome += " (\(states.joined(separator: ", ")))" }
            }
        } catch {
            logger.error("could not promote \(version.model) \(version.number): \(error)")
            outcome += ", not promoted: \(error)"
        }
        if let target = order.report {
            await reporter.finished(version.run, target: target)
        }
        return outcome
    }

    /// The head of the project's release branch and its spec: the spec at the remote's default
    /// branch names the release branch, whose head is then read.
    private func releaseHead(of project: ProjectConfig) async -> (commit: String, spec: PipelineSpec)? {
        let repository: Repository
        do {
            (repository, _) = try await workspace.refresh(project)
        } catch {
            logger.error("\(error.message)")
            return nil
        }
        return await blocking { () -> (commit: String, spec: PipelineSpec)? in
            guard let head = try? repository.resolve("HEAD"), let defaultSpec = try? GateRunner.readSpec(repository, head),
                let release = try? repository.resolve("refs/heads/\(defaultSpec.releaseBranch)"),
                let spec = try? GateRunner.readSpec(repository, release)
            else { return nil }
            return (release.hex, spec)
        }
    }

    private static func unknown(_ project: String) -> (TriggerEnd, String) {
        (.failed, "project \(project) is no longer in the server config")
    }
}
