import Foundation

/// How a step ended, when, and how much of its output the log kept.
///
/// A non-zero exit, a signal, a deadline and a cancellation are all results, not errors: the run records them and
/// the gate decides. `StepRunner` throws only when it could not run or watch the step at all (`StepError`).
public struct StepResult: Sendable, Hashable {
    /// Why the step's process stopped.
    ///
    /// Under `.bubblewrap` a command killed by a signal shows as `.exited(128 + signal)`, because bwrap reports
    /// its child's death that way.
    public enum Termination: Sendable, Hashable {
        /// The direct child exited with this status.
        case exited(Int32)
        /// The direct child was killed by this signal (not sent by the runner).
        case signaled(Int32)
        /// The deadline passed; the runner stopped the whole group.
        case timedOut
        /// The task running the step was cancelled; the runner stopped the whole group.
        case cancelled
    }

    public var termination: Termination
    public var startedAt: Date
    public var endedAt: Date
    /// Bytes in the log file when the step ended, the omission marker included.
    public var logBytes: Int
    /// Whether the output exceeded the log limit, so that its middle was replaced by a marker line.
    var truncated: Bool
    /// The last line of output that was not blank, redacted: for a failed step, usually the
    /// error a user wants to read first (a traceback's last line, a test's assertion).
    var lastLine: String?

    /// Whether the step exited with status 0.
    public var succeeded: Bool { termination == .exited(0) }

    public init(
        termination: Termination, startedAt: Date, endedAt: Date, logBytes: Int, truncated: Bool, lastLine: String? = nil
    ) {
        self.termination = termination
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.logBytes = logBytes
        self.truncated = truncated
        self.lastLine = lastLine
    }
}

extension StepResult.Termination {
    /// How the step ended, in a few words: `done`, `exited 2`, `timed out`.
    public var summary: String {
        switch self {
        case .exited(let status): status == 0 ? "done" : "exited \(status)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .timedOut: "timed out"
        case .cancelled: "cancelled"
        }
    }
}
