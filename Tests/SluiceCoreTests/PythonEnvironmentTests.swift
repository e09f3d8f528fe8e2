import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

/// The spec's `environment.python`: built once into `state_dir/environments`, first on the steps'
/// PATH, read-only to them, and never built by a run without network or trust. The requirements
/// here are comments only, so pip installs nothing and needs no index.
@Suite("Runs: the spec's Python environment", .serialized)
struct PythonEnvironmentTests {
    static let spec = """
        version: 1
        model: churn
        environment:
          python: { requirements: requirements.txt }
        steps:
          train: { run: 'echo "path=$PATH"; echo "python=$(command -v python3)"; echo ok > "$SLUICE_OUTPUT/model.bin"' }
          validate: { run: 'echo {} > "$SLUICE_METRICS"' }
        artifact: model.bin

        """

    @Test("A trusted run builds the environment as its environment step; the next run reuses it; python3 is the environment's")
    func builtOnceThenReused() async throws {
        let harness = try GateRunnerTests.Harness()
        try harness.commit([".sluice.yml": Self.spec, "requirements.txt": "# no packages\n"])
        let (first, events) = try await harness.run()
        #expect(first.state == .passed, "\(first.reason ?? "")")
        let record = try #require(first.conclusion.environment)
        #expect(record.requirements == "requirements.txt")
        #expect(record.python.hasPrefix("3."))
        #expect(events.contains { if case .environmentReady(_, built: true) = $0 { true } else { false } })
        let environment = harness.scratch.path("state/environments/\(record.digest.hex)")
        let trainLog = try String(contentsOf: harness.scratch.path("state/runs/1/logs/train.log"), encoding: .utf8)
        #expect(trainLog.contains("python=\(environment.path)/bin/python3"), "\(trainLog)")
        #expect(trainLog.contains("path=\(environment.path)/bin:\(GateRunner.stepPath)"), "\(trainLog)")

        try harness.commit(["train.py": "# changed\n"])
        let (second, again) = try await harness.run()
        #expect(second.state == .passed, "\(second.reason ?? "")")
        #expect(second.conclusion.environment == record)
        #expect(again.contains { if case .environmentReady(_, built: false) = $0 { true } else { false } })
        #expect(!again.contains { if case .stepStarted(name: "environment", _) = $0 { true } else { false } })
        #expect(try await harness.store.steps(of: second.id).map(\.name) == ["train", "validate"])
    }

    @Test("A fork's run may use a built environment but never builds one: error naming the file and what to do")
    func untrustedRunNeverBuilds() async throws {
        let harness = try GateRunnerTests.Harness(sandbox: .auto)
        try harness.commit([".sluice.yml": Self.spec, "requirements.txt": "# no packages\n"])
        let (run, _) = try await harness.run(trusted: false)
        #expect(run.state == .error)
        #expect(run.reason?.contains("the Python environment of requirements.txt") == true, "\(run.reason ?? "")")
        #expect(run.reason?.contains("is not built yet, and this run may not build it") == true)
        let environments = (try? FileManager.default.contentsOfDirectory(atPath: harness.scratch.path("state/environments").path)) ?? []
        #expect(environments.isEmpty, "\(environments)")
    }

    @Test("A sandboxed step cannot change the environment the next run imports from")
    func stepsSeeTheEnvironmentReadOnly() async throws {
        let harness = try GateRunnerTests.Harness(sandbox: .bubblewrap)
        let spec = Self.spec.replacingOccurrences(
            of: "train: { run: 'echo \"path=$PATH\"; echo \"python=$(command -v python3)\"; echo ok > \"$SLUICE_OUTPUT/model.bin\"' }",
            with: "train: { run: 'echo planted > \"$VIRTUAL_ENV/bin/python3\"' }")
        try harness.commit([".sluice.yml": spec, "requirements.txt": "# no packages\n"])
        let (run, _) = try await harness.run()
        #expect(run.state == .failed, "\(run.reason ?? "")")
        let record = try #require(run.conclusion.environment)
        let python = harness.scratch.path("state/environments/\(record.digest.hex)/bin/python3")
        let resolved = python.resolvingSymlinksInPath().path
        #expect(resolved.hasPrefix("/usr/"), "the environment's python3 now points at \(resolved)")
        #expect(run.reason?.contains("Read-only file system") == true, "\(run.reason ?? "")")
    }

    @Test("Requirements that install from files of the commit are refused with the line and what to write instead")
    func localRequirementsAreRefused() async throws {
        let harness = try GateRunnerTests.Harness()
        for line in ["-e .", "./vendor/pkg", "-r other.txt", "pkg @ file:///etc/passwd", "--find-links /srv"] {
            try harness.commit([".sluice.yml": Self.spec, "requirements.txt": "numpy==2.4.6\n\(line)  # note\n"])
            let (run, _) = try await harness.run()
            #expect(run.state == .error)
            #expect(run.reason?.hasPrefix("requirements.txt:2: '\(line)' installs from files of the commit or the host") == true, "\(run.reason ?? "")")
            #expect(run.conclusion.environment == nil)
        }
    }

    @Test("A step's env.PATH replaces the default PATH, for an environment built beforehand under /usr/local")
    func specPathReplacesTheDefault() async throws {
        let harness = try GateRunnerTests.Harness()
        try harness.commit([
            ".sluice.yml": """
                version: 1
                model: churn
                steps:
                  train: { run: 'echo "path=$PATH"; touch "$SLUICE_OUTPUT/model.bin"; echo {} > "$SLUICE_METRICS"', env: { PATH: "/usr/local/lib/ml/bin:/usr/bin:/bin" } }
                artifact: model.bin

                """,
        ])
        let (run, _) = try await harness.run()
        #expect(run.state == .passed, "\(run.reason ?? "")")
        let log = try String(contentsOf: harness.scratch.path("state/runs/1/logs/train.log"), encoding: .utf8)
        #expect(log.contains("path=/usr/local/lib/ml/bin:/usr/bin:/bin"), "\(log)")
    }
}
