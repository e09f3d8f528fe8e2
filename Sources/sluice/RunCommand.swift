import ArgumentParser
import Curl
import Foundation
import Git
import SluiceCore
import Synchronization

/// `sluice run`: the whole gate on a local repository, with no server: what an ML engineer runs
/// before pushing.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run test -> train -> validate and the gate on a commit of a local repository.",
        discussion: """
            Runs the committed state of PATH (default: the current directory) at --commit (default: \
            HEAD); uncommitted changes are not included. Step output streams to standard error as \
            '[step elapsed] line'; the gate table goes to standard output. A second run of a commit \
            with the same tree, spec and data reuses the first one's steps (cache hit); any changed \
            file, a test's included, runs every step again, and --no-cache always does.

            Exit status: 0 when the gate passes, 1 when it fails (a failing step fails it), 2 when \
            the run could not be carried out (a bad .sluice.yml, a missing commit, a data download).
            """)

    @Argument(help: "A git repository (a working tree or a bare repository).")
    var path = "."

    @Option(help: "The commit, branch or tag to run.")
    var commit = "HEAD"

    @Option(help: "A JSON object of the production model's metrics to compare with.")
    var baseline: String?

    @Flag(help: "Print the finished run as JSON instead of the gate table: its state, metrics, gate report, and its steps with their outcomes and log files.")
    var json = false

    @Option(help: "Where runs, the run cache and downloaded data are kept (default: ~/.cache/sluice).")
    var stateDir: String?

    @Option(help: "Step isolation: auto (bubblewrap when usable), bubblewrap, or none.")
    var sandbox: SandboxMode = .auto

    @Flag(help: "Run every step even when an earlier run of the same tree could stand for this one.")
    var noCache = false

    func run() async throws {
        let repositoryURL = URL(fileURLWithPath: path).standardizedFileURL
        let baseline = try loadBaseline()
        let stateDirectory = stateDir.map { URL(fileURLWithPath: $0) } ?? Self.defaultStateDirectory
        let repository = Repository(at: repositoryURL)
        let (resolved, spec) = checkedCommit(of: repository)
        let clock = SystemClock()
        let store: Store
        do {
            store = try Store(stateDirectory: stateDirectory, clock: clock)
        } catch {
            Self.fail(StateDirectoryProblem.describe(stateDirectory, key: "--state-dir", error: error))
        }
        let runner = GateRunner(
            store: store, stateDirectory: stateDirectory,
            dataCache: DataCache(stateDirectory: stateDirectory, http: HTTPClient(userAgent: "sluice/\(SluiceVersion.current)")),
            clock: clock, sandbox: sandbox)
        let progress = Progress(repository: repository)
        if commit == "HEAD", let uncommitted = try? repository.uncommittedPaths(), !uncommitted.isEmpty {
            let named = uncommitted.prefix(3).joined(separator: ", ") + (uncommitted.count > 3 ? ", …" : "")
            progress.note(
                "note: \(uncommitted.count) uncommitted change\(uncommitted.count == 1 ? " is" : "s are") not part of this "
                    + "run (\(named)); commit to include them")
        }
        let request = RunRequest(
            repository: repository, repositoryLabel: repositoryURL.path, revision: resolved.hex,
            baseline: baseline.map(Baseline.Source.given) ?? .none, reuseCache: !noCache, spec: spec)
        let finished = try await runner.run(request) { event in progress.show(event) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let directory = RunDirectory(stateDirectory: stateDirectory, run: finished.id)
            let steps = try await store.steps(of: finished.id).map { step in
                WithField(base: step, key: "log", value: directory.log(of: step.name).path)
            }
            print(String(decoding: try encoder.encode(WithField(base: finished, key: "steps", value: steps)), as: UTF8.self))
        } else if let report = finished.conclusion.gateReport {
            print(report.markdown)
        }
        progress.note("\(finished.id): \(finished.state.rawValue): \(finished.reason ?? "")")
        switch finished.state {
        case .passed, .skipped: return
        case .gateFailed, .failed: throw ExitCode(1)
        case .error, .cancelled, .superseded, .running: throw ExitCode(2)
        }
    }

    /// The commit to run and its spec, once the repository, the commit and the spec are known to be usable:
    /// a problem with any of them is the user's to fix before a run is numbered, so it exits 2
    /// saying what to do and leaves the run store alone.
    private func checkedCommit(of repository: Repository) -> (ObjectID, PipelineSpec) {
        guard let branches = try? repository.branches() else {
            Self.fail(
                "\(path) is not a git repository: run 'git init -b main' there and commit your files, "
                    + "or pass the repository's path")
        }
        let resolved: ObjectID
        do {
            resolved = try repository.resolve(commit)
        } catch {
            if branches.isEmpty {
                Self.fail("\(path) has no commits yet: commit your files first (git add -A && git commit -m 'First model')")
            }
            Self.fail("'\(commit)' names no commit in \(path) (its branches: \(branches.joined(separator: ", ")))")
        }
        do {
            return (resolved, try GateRunner.readSpec(repository, resolved))
        } catch {
            Self.fail(error.message)
        }
    }

    private func loadBaseline() throws -> Baseline? {
        guard let baseline else { return nil }
        guard FileManager.default.fileExists(atPath: baseline) else {
            Self.fail(
                "--baseline \(baseline): no such file; write the production model's metrics there as a JSON object of "
                    + #"numbers, such as {"auc": 0.91, "accuracy": 0.8}"#)
        }
        do {
            return Baseline(
                metrics: try Metrics.read(from: URL(fileURLWithPath: baseline)),
                label: "baseline \(URL(fileURLWithPath: baseline).lastPathComponent)")
        } catch {
            Self.fail("--baseline \(baseline): \(error.message)")
        }
    }

    static var defaultStateDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
            return URL(fileURLWithPath: cache).appendingPathComponent("sluice")
        }
        if let home = environment["HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home).appendingPathComponent(".cache/sluice")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/sluice")
    }

    /// `base`'s own fields and one more beside them, in the same JSON object: for `--json`, the
    /// run with its `steps`, and each step with its `log` file.
    struct WithField<Base: Encodable, Value: Encodable>: Encodable {
        let base: Base
        let key: String
        let value: Value

        func encode(to encoder: any Encoder) throws {
            try base.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value, forKey: Key(key))
        }

        struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.init(stringValue) }
            init?(intValue: Int) { nil }
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("sluice run: \(message)\n".utf8))
        Foundation.exit(2)
    }

    /// Live progress on standard error: one line per event, output lines with their step and
    /// the step's elapsed time.
    final class Progress: Sendable {
        private let stepStart = Mutex(ContinuousClock.now)
        /// Asked once the spec is read whether its release branch exists.
        private let repository: Repository

        init(repository: Repository) {
            self.repository = repository
        }

        func show(_ event: RunEvent) {
            switch event {
            case .started(let id, let commit):
                note("\(id): commit \(commit.prefix(12))")
            case .specRead(let spec):
                note("model \(spec.model): \(spec.steps.ordered.map(\.name).joined(separator: " -> "))")
                if let warning = spec.missingReleaseBranch(in: repository) {
                    note("warning: \(warning)")
                }
            case .dataReady(let entry):
                note("data \(entry.name): \(entry.digest.short)\(entry.reused ? " (cached)" : "")")
            case .environmentReady(let environment, let built):
                let how = built ? "built" : "reused, nothing to build"
                note("environment: python \(environment.python) from \(environment.requirements) (\(how))")
            case .cacheHit(let earlier):
                note("cache hit: \(earlier) trained this exact input; no step runs")
            case .stepStarted(let name, let command):
                stepStart.withLock { $0 = .now }
                note("▸ \(name): \(command)")
            case .output(let step, let line):
                note("[\(step) \(elapsed())] \(line)")
            case .stepFinished(let name, let result):
                note("\(result.succeeded ? "✓" : "✗") \(name) \(result.termination.summary) after \(elapsed())")
            case .gateEvaluated, .finished:
                break
            }
        }

        func note(_ line: String) {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }

        private func elapsed() -> String {
            let duration = ContinuousClock.now - stepStart.withLock { $0 }
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return String(format: "%.1fs", seconds)
        }
    }
}

extension SandboxMode: ExpressibleByArgument {}
