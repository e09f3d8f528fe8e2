import Crypto
import Foundation

/// The virtual environments built for specs' `environment.python`, one per digest under
/// `state_dir/environments/<digest>/`.
///
/// The digest covers the project, the requirements file's bytes and the steps' interpreter (its
/// path and version), like `actions/setup-python`'s cache: a run whose digest was built before
/// reuses that environment and builds nothing. Only a trusted run whose project allows network
/// builds one, with pip in the sandbox, so a fork's pull request can use an environment but never
/// plant one. Steps see it read-only, so no run changes what the next one imports. Requirements
/// that install from the commit itself (`-e .`, `./pkg`, `-r other.txt`) are refused: the digest
/// does not cover them, so the environment would go stale.
struct PythonEnvironments: Sendable {
    /// The most bytes a requirements file may have.
    static let requirementsLimit = 1 << 20
    /// The name the build goes by among the run's steps (its log is `logs/environment.log`).
    static let stepName = "environment"
    /// How long building an environment may take.
    static let buildTimeout: Duration = .seconds(1800)

    /// The variables of Sluice's own environment that reach pip, so an operator's package mirror
    /// and proxy apply (never the commit's to set).
    static let operatorVariables = [
        "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_CERT", "PIP_DEFAULT_TIMEOUT",
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
    ]

    let root: URL
    /// `operatorVariables` as Sluice found them when it started.
    let operatorEnvironment: [String: String]

    init(stateDirectory: URL) {
        root = stateDirectory.appendingPathComponent("environments", isDirectory: true)
        operatorEnvironment = ProcessInfo.processInfo.environment.filter { Self.operatorVariables.contains($0.key) }
    }

    /// The steps' interpreter: the first `python3` on `GateRunner.stepPath`.
    struct Interpreter: Sendable, Hashable {
        var path: String
        var version: String
    }

    /// An environment a run asks for, identified before anything is built.
    struct Plan: Sendable, Hashable {
        var digest: Digest
        var requirementsPath: String
        var requirements: Data
        var interpreter: Interpreter

        /// The environment as the run's lineage records it.
        var record: Run.PythonEnvironmentRecord {
            Run.PythonEnvironmentRecord(
                digest: digest, python: interpreter.version, requirements: requirementsPath,
                requirementsDigest: Digest(SHA256.hash(data: requirements)))
        }
    }

    /// The folder of the environment `digest` (its `bin/` goes first on the steps' `PATH`).
    func directory(of digest: Digest) -> URL {
        root.appendingPathComponent(digest.hex, isDirectory: true)
    }

    /// Where a finished build leaves its mark: an environment without it is a build that died.
    func completionMark(of digest: Digest) -> URL {
        directory(of: digest).appendingPathComponent(".sluice-built")
    }

    /// Whether `digest` has been built completely.
    func isBuilt(_ digest: Digest) -> Bool {
        FileManager.default.fileExists(atPath: completionMark(of: digest).path)
    }

    /// Checks the requirements file, finds the interpreter and computes the digest. Blocks its thread
    /// (starts the interpreter once).
    static func plan(
        requirements: Data, at path: String, project: String?
    ) throws(RunError) -> Plan {
        try check(requirements, path: path)
        let interpreter = try findInterpreter()
        let text = """
            sluice python environment v1
            project \(project ?? "-")
            interpreter \(interpreter.path) \(interpreter.version)
            requirements \(Hex.encode(SHA256.hash(data: requirements)))

            """
        return Plan(
            digest: Digest(SHA256.hash(data: Data(text.utf8))), requirementsPath: path,
            requirements: requirements, interpreter: interpreter)
    }

    /// Refuses what pip would read from outside the file: other files, editable or local installs.
    static func check(_ requirements: Data, path: String) throws(RunError) {
        guard requirements.count <= requirementsLimit else {
            throw RunError(.spec, "\(path) is larger than \(requirementsLimit >> 20) MiB; list one requirement per line")
        }
        let fromCommit = [
            "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-f", "--find-links",
        ]
        for (index, line) in String(decoding: requirements, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let entry = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map {
                $0.trimmingCharacters(in: .whitespaces)
            } ?? ""
            let option = entry.split(whereSeparator: { $0 == " " || $0 == "=" }).first.map(String.init) ?? ""
            let local =
                fromCommit.contains(option) || entry.hasPrefix(".") || entry.hasPrefix("/") || entry.hasPrefix("~")
                || entry.lowercased().contains("file:")
            guard !local else {
                throw RunError(
                    .spec,
                    "\(path):\(index + 1): '\(entry.prefix(80))' installs from files of the commit or the host, which "
                        + "the environment's cache does not cover; list packages from an index instead, as in "
                        + "scikit-learn==1.5.2")
            }
        }
    }

    /// The first `python3` on the steps' `PATH`, with its version.
    static func findInterpreter() throws(RunError) -> Interpreter {
        let candidates = GateRunner.stepPath.split(separator: ":").map { "\($0)/python3" }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RunError(
                .environment,
                "environment.python needs python3 on the steps' PATH (\(GateRunner.stepPath)); install python3 and python3-venv")
        }
        let probe = Process()
        let output = Pipe()
        probe.executableURL = URL(fileURLWithPath: path)
        probe.arguments = ["-c", "import platform; print(platform.python_version())"]
        probe.environment = ["PATH": GateRunner.stepPath, "LANG": "C.UTF-8"]
        probe.standardInput = FileHandle.nullDevice
        probe.standardOutput = output
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
        } catch {
            throw RunError(.environment, "could not start \(path) to learn its version: \(error.localizedDescription)")
        }
        let version = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        probe.waitUntilExit()
        guard probe.terminationReason == .exit, probe.terminationStatus == 0, !version.isEmpty else {
            throw RunError(.environment, "\(path) did not say its version; check that it runs")
        }
        return Interpreter(path: path, version: version)
    }

    /// The shell command that builds an environment, with its paths in the variables of `buildVariables`.
    static let buildCommand = """
        "$SLUICE_PYTHON" -m venv "$VIRTUAL_ENV" && "$VIRTUAL_ENV/bin/python" -m pip install --no-input \
        --disable-pip-version-check --no-cache-dir --progress-bar off -r "$SLUICE_REQUIREMENTS"
        """

    /// The variables `buildCommand` reads (the interpreter, the environment's folder, its
    /// requirements), with the operator's pip and proxy settings.
    func buildVariables(_ plan: Plan) -> [String: String] {
        operatorEnvironment.merging([
            "SLUICE_PYTHON": plan.interpreter.path, "VIRTUAL_ENV": directory(of: plan.digest).path,
            "SLUICE_REQUIREMENTS": requirementsCopy(of: plan.digest).path,
        ]) { _, own in own }
    }

    /// The requirements an environment was built from, kept beside it.
    func requirementsCopy(of digest: Digest) -> URL {
        root.appendingPathComponent(digest.hex + ".requirements.txt")
    }

    /// Locks the environment's build against other runs (released when the returned lock is), and
    /// clears what a build that died left. Returns nil, without locking, when it is built already.
    func prepareBuild(_ plan: Plan, clock: any WallClock) async throws(RunError) -> FileLock? {
        let lock: FileLock
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            lock = try await FileLock.acquire(
                root.appendingPathComponent(plan.digest.hex + ".lock"), clock: clock)
        } catch {
            throw RunError(.environment, "could not prepare \(root.path) for the Python environment: \(error)")
        }
        guard !isBuilt(plan.digest) else {
            lock.release()
            return nil
        }
        do throws(RunError) {
            try await blocking { () throws(RunError) in try clearBuild(plan) }
        } catch {
            lock.release()
            throw error
        }
        return lock
    }

    /// Removes what a build that died left and lays out the new one's folder. Blocks its thread.
    private func clearBuild(_ plan: Plan) throws(RunError) {
        do {
            try? FileManager.default.removeItem(at: directory(of: plan.digest))
            try FileManager.default.createDirectory(at: directory(of: plan.digest), withIntermediateDirectories: true)
            try plan.requirements.write(to: requirementsCopy(of: plan.digest))
        } catch {
            throw RunError(.environment, "could not prepare \(directory(of: plan.digest).path): \(error.localizedDescription)")
        }
    }

    /// Marks a build complete, or removes what a failed one left.
    func finishBuild(_ plan: Plan, succeeded: Bool) throws(RunError) {
        do {
            if succeeded {
                try Data().write(to: completionMark(of: plan.digest))
            } else {
                try FileManager.default.removeItem(at: directory(of: plan.digest))
            }
        } catch {
            throw RunError(.environment, "could not finish \(directory(of: plan.digest).path): \(error.localizedDescription)")
        }
    }
}
