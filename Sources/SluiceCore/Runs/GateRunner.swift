import Foundation
import Git

/// Runs the gate for one commit: read `.sluice.yml` from the commit, skip when no input path
/// changed, fetch the data, reuse an earlier identical run or export the commit and run test ->
/// train -> validate, then judge the metrics against the baseline. Every run is recorded in the
/// store, whatever its end.
///
/// Nothing the repository provides executes before its spec has been read and accepted. A run
/// that cannot be carried out ends in `error` with a reason that says what to fix; only a store
/// failure is thrown, since then not even that can be recorded.
public struct GateRunner: Sendable {
    /// The directories a step sees: a minimal PATH, so the host's own tool shims stay out.
    public static let stepPath = "/usr/local/bin:/usr/bin:/bin"

    let store: Store
    let stateDirectory: URL
    let dataCache: DataCache
    let pythonEnvironments: PythonEnvironments
    let sandbox: SandboxMode
    /// Every secret Sluice knows, removed from step output before it is stored or shown (with
    /// the run's own step secrets).
    let secrets: [String]
    let stepRunner: StepRunner
    /// How long a step may take to exit after SIGTERM before the whole group is killed.
    let killGrace: Duration
    /// The most bytes one step's log keeps.
    let logLimit: Int
    /// What the run's steps and its environment's build lock wait on.
    let clock: any WallClock
    /// Whether bwrap works on this host, probed once: the probe starts a process, which no run
    /// should pay for again (the step runner still refuses a sandboxed step if bwrap stops working).
    private let bubblewrapIsUsable: Bool

    public init(
        store: Store, stateDirectory: URL, dataCache: DataCache, clock: any WallClock, sandbox: SandboxMode = .auto,
        secrets: [String] = [], killGrace: Duration = .seconds(10), logLimit: Int = 50 << 20
    ) {
        self.clock = clock
        self.store = store
        self.stateDirectory = stateDirectory
        self.dataCache = dataCache
        self.pythonEnvironments = PythonEnvironments(stateDirectory: stateDirectory)
        self.sandbox = sandbox
        self.secrets = secrets
        self.stepRunner = StepRunner(clock: clock)
        self.killGrace = killGrace
        self.logLimit = logLimit
        self.bubblewrapIsUsable = Bubblewrap.isUsable()
    }

    /// Runs the gate and returns the finished run.
    ///
    /// A request on `stop` (or cancelling the calling task) stops the step that runs, its whole
    /// process group, and no later step starts; the run ends `superseded` or `cancelled`, as
    /// the stop's reason says.
    public func run(
        _ request: RunRequest, stop: RunStop = RunStop(), events: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) async throws(StoreError) -> Run {
        let repository = request.repository
        let revision = request.revision
        let commit = try? await blocking { () throws(GitError) -> ObjectID in try repository.resolve(revision) }
        let id = try await store.startRun(
            project: request.project, repository: request.repositoryLabel, commit: commit?.hex ?? revision,
            branch: request.branch, claim: request.claim)
        events(.started(id, commit: commit?.hex ?? revision))
        var conclusion = Run.Conclusion()
        var state: Run.State
        var reason: String
        do throws(RunError) {
            guard let commit else {
                throw RunError(.workspace, "'\(revision)' names no commit in \(request.repositoryLabel)")
            }
            (state, reason) = try await carryOut(
                request, id: id, commit: commit, stop: stop, conclusion: &conclusion, events: events)
        } catch {
            (state, reason) = (.error, error.message)
        }
        if state == .cancelled, let stopped = stop.requested {
            switch stopped {
            case .superseded(let why): (state, reason) = (.superseded, why)
            case .shutdown: (state, reason) = (.cancelled, "the server shut down during this run; it runs again on the next start")
            case .cancelled(let why): (state, reason) = (.cancelled, why)
            case .claimLost(let why): (state, reason) = (.error, why)
            }
        }
        try await store.finishRun(id, claim: request.claim, state: state, reason: reason, conclusion: conclusion)
        guard let run = try await store.run(id) else {
            throw StoreError(operation: "read \(id) back", underlying: RunError(.store, "the run vanished"))
        }
        events(.finished(run))
        return run
    }

    private func carryOut(
        _ request: RunRequest, id: Run.ID, commit: ObjectID, stop: RunStop, conclusion: inout Run.Conclusion,
        events: @escaping @Sendable (RunEvent) -> Void
    ) async throws(RunError) -> (Run.State, String) {
        let repository = request.repository
        let spec: PipelineSpec
        if let read = request.spec {
            spec = read
        } else {
            spec = try await blocking { () throws(RunError) -> PipelineSpec in try Self.readSpec(repository, commit) }
        }
        conclusion.model = spec.model
        conclusion.specDigest = spec.digest
        if let violations = request.policy?.violations(of: spec), !violations.isEmpty {
            throw RunError(
                .policy, "\(PipelineSpec.fileName) asks what the server's policy does not allow:\n" + violations.joined(separator: "\n"))
        }
        events(.specRead(spec))
        let baseline = try await baseline(request.baseline, for: spec)

        if let base = try await comparisonBase(request) {
            let changed = try await blocking { () throws(RunError) -> [String] in
                do {
                    return try repository.changedPaths(from: try repository.resolve(base), to: commit)
                } catch {
                    throw RunError(.workspace, "could not compare \(commit) with \(base): \(error)")
                }
            }
            if !spec.inputs.isTouched(by: changed) {
                let inputs = spec.inputs.paths.joined(separator: ", ")
                return (.skipped, "no input path (\(inputs)) changed since \(base.prefix(12))")
            }
        }
        let sandboxed = try needsSandbox(trusted: request.trusted)

        var data: [DataCache.Entry] = []
        for input in spec.inputs.data {
            let arrived = request.dataArrival.flatMap { arrival in
                arrival.dataset == input.name
                    ? PipelineSpec.DataInput(name: input.name, uri: arrival.uri, sha256: arrival.sha256) : nil
            }
            let entry = try await dataCache.fetch(arrived ?? input, trusted: request.trusted)
            data.append(entry)
            conclusion.dataVersions[entry.name] = entry.digest
            events(.dataReady(entry))
        }
        let plan = try await environmentPlan(spec, repository: repository, commit: commit, project: request.project)
        conclusion.environment = plan?.record
        let key = try await blocking { [data] () throws(RunError) -> Digest in
            try RunCacheKey.compute(
                spec: spec, repository: repository, commit: commit, data: data, environment: plan?.digest,
                project: request.project, trusted: request.trusted)
        }
        conclusion.cacheKey = key

        if request.reuseCache, let earlier = try await reusableRun(forKey: key) {
            events(.cacheHit(earlier.id))
            conclusion.cachedFrom = earlier.id
            conclusion.metrics = earlier.conclusion.metrics
            conclusion.artifactDigest = earlier.conclusion.artifactDigest
            conclusion.artifactPath = earlier.conclusion.artifactPath
            return judge(spec, request.policy, earlier.conclusion.metrics ?? Metrics(), baseline, &conclusion, events,
                         prefix: "cache hit: \(earlier.id); ")
        }

        let directory = RunDirectory(stateDirectory: stateDirectory, run: id)
        try await blocking { () throws(RunError) in
            do {
                try directory.create()
                try repository.export(commit, to: directory.source)
            } catch {
                throw RunError(.workspace, "could not export \(commit) into \(directory.source.path): \(error)")
            }
        }
        var readOnly = data.map(\.file)
        if let baseline {
            do {
                try JSONEncoder().encode(baseline.metrics.values).write(to: directory.baselineMetrics)
            } catch {
                throw RunError(.workspace, "could not write the baseline metrics: \(error.localizedDescription)")
            }
            readOnly.append(directory.baselineMetrics)
        }
        let redactor = Redactor(secrets: secrets + request.stepSecrets.values.map(\.revealed))
        var python: URL?
        if let plan {
            let mayBuild = request.trusted && request.network
            if let failure = try await prepare(
                plan, mayBuild: mayBuild, run: id, directory: directory, sandboxed: sandboxed, redactor: redactor,
                stop: stop, events: events)
            {
                return failure
            }
            python = pythonEnvironments.directory(of: plan.digest)
            readOnly.append(pythonEnvironments.directory(of: plan.digest))
        }
        var environment = Self.environment(
            run: id, commit: commit, directory: directory, data: data, hasBaseline: baseline != nil)
        if request.trusted {
            environment.merge(request.stepSecrets.mapValues(\.revealed)) { contract, _ in contract }
        }
        for (name, step) in spec.steps.ordered {
            guard stop.requested == nil, !Task.isCancelled else { return (.cancelled, "stopped before step \(name)") }
            var stepEnvironment = step.environment.merging(environment) { _, contract in contract }
            stepEnvironment["PATH"] = Self.path(step.environment["PATH"], python: python)
            if let python { stepEnvironment["VIRTUAL_ENV"] = python.path }
            let invocation = StepInvocation(
                name: name, command: step.run, workingDirectory: directory.source, environment: stepEnvironment,
                timeout: step.timeout, killGrace: killGrace, logFile: directory.log(of: name), logLimit: logLimit,
                sandbox: sandboxed
                    ? .bubblewrap(writable: [directory.work], readOnly: readOnly, network: request.trusted && request.network)
                    : .none)
            let result = try await execute(invocation, run: id, stop: stop, redactor: redactor, events: events)
            if let failure = Self.failure(of: result, step: name, timeout: step.timeout) { return failure }
        }

        let metrics: Metrics
        do {
            metrics = try Metrics.read(from: directory.metrics)
        } catch {
            throw RunError(.metrics, error.message)
        }
        conclusion.metrics = metrics
        let artifact = directory.output.appendingPathComponent(spec.artifact)
        let output = directory.output
        do {
            conclusion.artifactDigest = try await blocking { () throws(ArtifactError) -> Digest in
                try ArtifactDigest.digest(of: artifact, within: output)
            }
        } catch {
            throw RunError(.artifact, error.message)
        }
        conclusion.artifactPath = artifact.path
        return judge(spec, request.policy, metrics, baseline, &conclusion, events, prefix: "")
    }

    /// Runs one step (or the environment's build) and records it.
    private func execute(
        _ invocation: StepInvocation, run id: Run.ID, stop: RunStop, redactor: Redactor,
        events: @escaping @Sendable (RunEvent) -> Void
    ) async throws(RunError) -> StepResult {
        let name = invocation.name
        events(.stepStarted(name: name, command: invocation.command))
        try await recorded { () throws(StoreError) in try await store.startStep(id, name: name, command: invocation.command) }
        let result: StepResult
        do {
            result = try await stop.stoppable { [stepRunner] in
                try await stepRunner.run(invocation, redactor: redactor) { line in
                    events(.output(step: name, line: line))
                }
            }
        } catch {
            throw RunError(.sandbox, "could not start step \(name): \(error)")
        }
        events(.stepFinished(name: name, result))
        try await recorded { () throws(StoreError) in try await store.finishStep(id, name: name, result: result) }
        return result
    }

    /// How a run ends after a step that did not succeed; nil when it did.
    private static func failure(of result: StepResult, step name: String, timeout: Duration) -> (Run.State, String)? {
        switch result.termination {
        case .exited(0):
            return nil
        case .exited(let status):
            return (.failed, "step \(name) exited with status \(status)" + quoted(result.lastLine))
        case .signaled(let signal):
            return (.failed, "step \(name) was killed by signal \(signal)" + quoted(result.lastLine))
        case .timedOut:
            return (.failed, "step \(name) ran past its timeout of \(timeout) and was stopped")
        case .cancelled:
            return (.cancelled, "cancelled during step \(name)")
        }
    }

    /// The spec's Python environment, checked and identified but not built; nil when it asks for none.
    private func environmentPlan(
        _ spec: PipelineSpec, repository: Repository, commit: ObjectID, project: String?
    ) async throws(RunError) -> PythonEnvironments.Plan? {
        guard let path = spec.environment?.python.requirements else { return nil }
        return try await blocking { () throws(RunError) -> PythonEnvironments.Plan in
            let requirements: Data
            do {
                requirements = try repository.fileContents(at: path, in: commit)
            } catch {
                throw RunError(
                    .spec, "environment.python.requirements names \(path), which commit \(commit.hex.prefix(12)) does not have; commit it or fix the path")
            }
            return try PythonEnvironments.plan(requirements: requirements, at: path, project: project)
        }
    }

    /// Makes the environment of `plan` ready: reused when built, else built as the run's
    /// `environment` step when the run may (trusted, with network). Returns how the run ends when
    /// the build failed.
    private func prepare(
        _ plan: PythonEnvironments.Plan, mayBuild: Bool, run id: Run.ID, directory: RunDirectory, sandboxed: Bool,
        redactor: Redactor, stop: RunStop, events: @escaping @Sendable (RunEvent) -> Void
    ) async throws(RunError) -> (Run.State, String)? {
        let environments = pythonEnvironments
        if !mayBuild {
            guard environments.isBuilt(plan.digest) else {
                throw RunError(
                    .environment,
                    "the Python environment of \(plan.requirementsPath) (\(plan.record.requirementsDigest.short)) is not "
                        + "built yet, and this run may not build it: it has no network (a fork's code, or "
                        + "projects[].network: false). A trusted run of this project with network builds it; push the "
                        + "same \(plan.requirementsPath) to a branch of the repository")
            }
            events(.environmentReady(plan.record, built: false))
            return nil
        }
        guard let lock = try await environments.prepareBuild(plan, clock: clock) else {
            events(.environmentReady(plan.record, built: false))
            return nil
        }
        defer { lock.release() }
        let folder = environments.directory(of: plan.digest)
        let invocation = StepInvocation(
            name: PythonEnvironments.stepName, command: PythonEnvironments.buildCommand, workingDirectory: directory.temporary,
            environment: [
                "PATH": Self.stepPath, "HOME": directory.home.path, "LANG": "C.UTF-8", "TMPDIR": directory.temporary.path,
            ].merging(environments.buildVariables(plan)) { _, build in build },
            timeout: PythonEnvironments.buildTimeout, killGrace: killGrace,
            logFile: directory.log(of: PythonEnvironments.stepName), logLimit: logLimit,
            sandbox: sandboxed
                ? .bubblewrap(
                    writable: [folder, directory.home, directory.temporary],
                    readOnly: [environments.requirementsCopy(of: plan.digest)], network: true)
                : .none)
        let result = try await execute(invocation, run: id, stop: stop, redactor: redactor, events: events)
        let failure = Self.failure(of: result, step: PythonEnvironments.stepName, timeout: PythonEnvironments.buildTimeout)
        try await blocking { () throws(RunError) in try environments.finishBuild(plan, succeeded: failure == nil) }
        if let failure { return failure }
        events(.environmentReady(plan.record, built: true))
        return nil
    }

    /// The steps' `PATH`: the spec's own, or the minimal default, after the Python environment's `bin`.
    static func path(_ specPath: String?, python: URL?) -> String {
        let base = specPath ?? stepPath
        guard let python else { return base }
        return python.appendingPathComponent("bin").path + ":" + base
    }

    /// A failed step's last line of output, for its failure reason: what a user reads first is
    /// usually the error (a traceback's last line, a test's assertion), cut to 200 characters.
    private static func quoted(_ lastLine: String?) -> String {
        guard let line = lastLine?.trimmingCharacters(in: .whitespaces) else { return "" }
        return ": " + (line.count > 200 ? line.prefix(199) + "…" : line)
    }

    /// Runs a store write the run cannot go on without, as a `RunError`.
    private func recorded(_ write: () async throws(StoreError) -> Void) async throws(RunError) {
        do {
            try await write()
        } catch {
            throw RunError(.store, error.description)
        }
    }

    /// Evaluates the spec's rules and the server's floor, notes how the spec's rules loosen those
    /// the baseline's version passed, and returns the run's end.
    private func judge(
        _ spec: PipelineSpec, _ policy: ProjectPolicy?, _ metrics: Metrics, _ baseline: Baseline?,
        _ conclusion: inout Run.Conclusion, _ events: @Sendable (RunEvent) -> Void, prefix: String
    ) -> (Run.State, String) {
        let loosened = baseline.flatMap { baseline in
            baseline.gateReport.map {
                GateReport.loosenings(
                    of: spec.gate, requireBaseline: spec.requireBaseline, comparedWith: $0, replacedLabel: baseline.label)
            }
        } ?? []
        let report = Gate.evaluate(
            rules: spec.gate, floor: policy?.gateFloor ?? [], candidate: metrics, baseline: baseline?.metrics,
            requireBaseline: spec.requireBaseline, baselineLabel: baseline?.label, loosened: loosened)
        conclusion.gateReport = report
        events(.gateEvaluated(report))
        if report.passed { return (.passed, prefix + "gate passed") }
        let failures = report.checks.filter { $0.verdict == .fail }.map(\.reason)
        return (.gateFailed, prefix + "gate failed: " + failures.joined(separator: "; "))
    }

    /// The baseline `source` gives for a run of `spec`.
    private func baseline(_ source: Baseline.Source, for spec: PipelineSpec) async throws(RunError) -> Baseline? {
        switch source {
        case .none:
            return nil
        case .given(let baseline):
            return baseline
        case .registry:
            guard let environment = spec.baselineEnvironment else { return nil }
            do {
                guard let number = try await store.version(of: spec.model, in: environment),
                    let run = try await store.version(number, of: spec.model)?.run, let metrics = run.conclusion.metrics
                else { return nil }
                return Baseline(
                    metrics: metrics, label: "\(spec.model) \(number) (\(environment))", gateReport: run.conclusion.gateReport)
            } catch {
                throw RunError(.store, error.description)
            }
        }
    }

    /// The commit a run is compared with, if any.
    private func comparisonBase(_ request: RunRequest) async throws(RunError) -> String? {
        switch request.comparedWith {
        case .none:
            return nil
        case .commit(let base):
            return base
        case .lastTrained:
            guard let project = request.project, let branch = request.branch else { return nil }
            do {
                return try await store.lastTrainedCommit(of: project, on: branch, excluding: request.claim?.trigger)
            } catch {
                throw RunError(.store, error.description)
            }
        }
    }

    /// The latest run with this key whose artifact is still on disk.
    private func reusableRun(forKey key: Digest) async throws(RunError) -> Run? {
        let earlier: Run?
        do {
            earlier = try await store.cachedRun(forKey: key)
        } catch {
            throw RunError(.store, error.description)
        }
        guard let earlier, let path = earlier.conclusion.artifactPath, FileManager.default.fileExists(atPath: path)
        else { return nil }
        return earlier
    }

    /// Whether the run's steps go in bubblewrap: untrusted code always does, or is refused.
    private func needsSandbox(trusted: Bool) throws(RunError) -> Bool {
        if !trusted || sandbox == .bubblewrap {
            guard bubblewrapIsUsable else {
                throw RunError(
                    .sandbox,
                    trusted
                        ? "executor.sandbox is bubblewrap, but bwrap is not usable on this host; install bubblewrap"
                        : "untrusted code (a fork's pull request) runs only in a sandbox, and bwrap is not usable on "
                            + "this host; install bubblewrap")
            }
            return true
        }
        return sandbox == .auto && bubblewrapIsUsable
    }

    /// The step environment of DESIGN.md: a minimal base plus the `SLUICE_*` contract.
    static func environment(
        run: Run.ID, commit: ObjectID, directory: RunDirectory, data: [DataCache.Entry], hasBaseline: Bool
    ) -> [String: String] {
        var environment = [
            "PATH": stepPath, "HOME": directory.home.path, "LANG": "C.UTF-8", "TMPDIR": directory.temporary.path,
            "SLUICE_RUN_ID": String(run.rawValue), "SLUICE_COMMIT": commit.hex, "SLUICE_OUTPUT": directory.output.path,
            "SLUICE_METRICS": directory.metrics.path,
        ]
        if hasBaseline { environment["SLUICE_BASELINE_METRICS"] = directory.baselineMetrics.path }
        for entry in data { environment[dataVariable(entry.name)] = entry.file.path }
        return environment
    }

    /// `SLUICE_DATA_<NAME>`: upper-cased, every character other than A-Z and 0-9 as `_`.
    static func dataVariable(_ name: String) -> String {
        "SLUICE_DATA_" + String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// The pipeline spec at the root of `commit`.
    public static func readSpec(_ repository: Repository, _ commit: ObjectID) throws(RunError) -> PipelineSpec {
        let bytes: Data
        do {
            bytes = try repository.fileContents(at: PipelineSpec.fileName, in: commit)
        } catch {
            throw RunError(
                .spec,
                "commit \(commit.hex.prefix(12)) has no \(PipelineSpec.fileName) at its root; "
                    + "add one (sluice init writes a starter project)")
        }
        do {
            return try PipelineSpec.parse(yaml: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw RunError(.spec, "\(PipelineSpec.fileName) has problems:\n\(error)")
        }
    }
}
