/// A step could not be run or watched to its end: the runner's failure, not the user's command's.
///
/// `workingDirectoryMissing` and `sandboxUnavailable` are terminal (the host or the run layout must be fixed);
/// `launchFailed` and `logUnwritable` are retryable (a full disk, too many processes); `processesSurvived` means a
/// process in the step's group outlived SIGKILL, which needs an operator. The message has passed through the run's
/// `Redactor`.
public struct StepError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; an open set, so new cases do not break callers that switch over known ones.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String

        public init(_ rawValue: String) {
            self.rawValue = rawValue
        }

        /// The working directory does not exist or is not a directory.
        public static let workingDirectoryMissing = Code("workingDirectoryMissing")
        /// `.bubblewrap` was requested but bwrap is missing or cannot create its namespaces on this host.
        public static let sandboxUnavailable = Code("sandboxUnavailable")
        /// The child process could not be started or watched.
        public static let launchFailed = Code("launchFailed")
        /// The log file could not be created or written.
        public static let logUnwritable = Code("logUnwritable")
        /// A member of the step's process group was still alive after SIGKILL and the bounded wait.
        public static let processesSurvived = Code("processesSurvived")

        public var description: String { rawValue }
    }

    public let code: Code
    /// The step's name ("test", "train", "validate").
    public let step: String
    public let message: String

    public init(_ code: Code, step: String, message: String) {
        self.code = code
        self.step = step
        self.message = message
    }

    public var description: String { "step \(step): \(message) [\(code)]" }
}
