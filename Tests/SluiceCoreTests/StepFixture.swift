import Foundation
import Glibc
@testable import SluiceCore
import SluiceTesting

/// A run directory, a log file and a line recorder for one step under test.
struct StepFixture {
    /// The environment steps get unless a test says otherwise: enough to find `sh`, `seq`, `sleep` and `python3`.
    static let environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]

    let scratch: ScratchDirectory
    let runDirectory: URL
    let logFile: URL
    let lines = Recorder()

    init(in parent: URL = FileManager.default.temporaryDirectory) throws {
        scratch = try ScratchDirectory(in: parent)
        runDirectory = scratch.path("run")
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        logFile = scratch.path("step.log")
    }

    func step(
        _ command: String,
        environment: [String: String] = Self.environment,
        timeout: Duration = .seconds(20),
        killGrace: Duration = .seconds(10),
        logLimit: Int = 50 * 1024 * 1024,
        sandbox: StepSandbox = .none
    ) -> StepInvocation {
        StepInvocation(
            name: "train", command: command, workingDirectory: runDirectory, environment: environment,
            timeout: timeout, killGrace: killGrace, logFile: logFile, logLimit: logLimit, sandbox: sandbox
        )
    }

    /// Runs `step`, recording its lines.
    func run(_ step: StepInvocation, secrets: [String] = []) async throws -> StepResult {
        try await StepRunner(clock: SystemClock()).run(step, redactor: Redactor(secrets: secrets)) { [lines] in lines.record($0) }
    }

    func log() throws -> String {
        try String(contentsOf: logFile, encoding: .utf8)
    }

    /// The pid a step wrote to `name` in its run directory.
    func pid(_ name: String) throws -> pid_t {
        let text = try String(contentsOf: runDirectory.appendingPathComponent(name), encoding: .utf8)
        guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return pid
    }

    /// Whether no member of the group is alive (zombies waiting for init do not count).
    static func groupHasNoLiveMember(_ pgid: pid_t) -> Bool {
        ProcessGroup(id: pgid).liveMembers().isEmpty
    }

    /// Whether `kill(-pgid, 0)` comes to fail within `limit`: every member dead and reaped, by init for
    /// orphans, which on some hosts reaps only every few seconds.
    static func groupIsGone(_ pgid: pid_t, within limit: Duration = .seconds(10)) -> Bool {
        eventually(within: limit) { kill(-pgid, 0) == -1 && errno == ESRCH }
    }

    static func processIsGone(_ pid: pid_t, within limit: Duration = .seconds(10)) -> Bool {
        eventually(within: limit) { kill(pid, 0) == -1 && errno == ESRCH }
    }

    private static func eventually(within limit: Duration, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }
}
