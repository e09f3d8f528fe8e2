import Foundation

/// One step of a run (`test`, `train` or `validate`): what to run, where, and within which limits.
///
/// The caller builds everything here, the environment included: the child inherits nothing from Sluice, so a
/// secret reaches a step only when the run's spec grants it, and then the same secret belongs in the run's `Redactor`.
struct StepInvocation: Sendable {
    /// The step's name in the pipeline spec: "test", "train" or "validate".
    var name: String
    /// The user's command line, run as `/bin/sh -c <command>`.
    var command: String
    /// The run's export directory; it must exist when the step starts.
    var workingDirectory: URL
    /// The complete environment of the child.
    var environment: [String: String]
    /// How long the step may run before its process group is stopped and the result is `.timedOut`.
    var timeout: Duration
    /// How long the group has between SIGTERM and SIGKILL when it is stopped.
    var killGrace: Duration
    /// Where the step's redacted, size-capped output is written.
    var logFile: URL
    /// The most bytes of output the log keeps before it keeps the head and the tail only (see `StepLog`).
    var logLimit: Int
    /// How the step is isolated from the host.
    var sandbox: StepSandbox

    init(
        name: String,
        command: String,
        workingDirectory: URL,
        environment: [String: String],
        timeout: Duration,
        killGrace: Duration = .seconds(10),
        logFile: URL,
        logLimit: Int = 50 * 1024 * 1024,
        sandbox: StepSandbox = .none
    ) {
        self.name = name
        self.command = command
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.timeout = timeout
        self.killGrace = killGrace
        self.logFile = logFile
        self.logLimit = logLimit
        self.sandbox = sandbox
    }
}
