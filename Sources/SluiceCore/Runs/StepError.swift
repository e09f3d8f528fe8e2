import CodedErrors

/// A step could not be run or watched to its end: the runner's failure, not the user's command's.
///
/// `workingDirectoryMissing` and `sandboxUnavailable` are terminal (the host or the run layout must be fixed);
/// `launchFailed` and `logUnwritable` are retryable (a full disk, too many processes); `processesSurvived` means a
/// process in the step's group outlived SIGKILL, which needs an operator. The message has passed through the run's
/// `Redactor`.
struct StepError: Error, Sendable, CustomStringConvertible {
    typealias Code = ErrorCode<StepError>

    let code: Code
    /// The step's name ("test", "train", "validate").
    let step: String
    let message: String

    init(_ code: Code, step: String, message: String) {
        self.code = code
        self.step = step
        self.message = message
    }

    var description: String { "step \(step): \(message) [\(code)]" }
}

extension ErrorCode<StepError> {
    /// The working directory does not exist or is not a directory.
    static var workingDirectoryMissing: Self { Self("workingDirectoryMissing") }
    /// `.bubblewrap` was requested but bwrap is missing or cannot create its namespaces on this host.
    static var sandboxUnavailable: Self { Self("sandboxUnavailable") }
    /// The child process could not be started or watched.
    static var launchFailed: Self { Self("launchFailed") }
    /// The log file could not be created or written.
    static var logUnwritable: Self { Self("logUnwritable") }
    /// A member of the step's process group was still alive after SIGKILL and the bounded wait.
    static var processesSurvived: Self { Self("processesSurvived") }
}
