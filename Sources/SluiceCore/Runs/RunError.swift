/// Why a run could not be carried out (as opposed to a step or the gate failing): the message is
/// the run's recorded reason and says what to fix.
public struct RunError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong; an open set so new checks need no breaking change.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The commit has no `.sluice.yml`, or it has problems.
        public static let spec = Code("spec")
        /// The spec asks what the server's policy for the project does not allow (another
        /// project's model, an environment's protection).
        public static let policy = Code("policy")
        /// The revision, the repository or the export failed.
        public static let workspace = Code("workspace")
        /// A data input could not be downloaded, or did not match its pinned digest.
        public static let data = Code("data")
        /// The metrics file is missing or not a JSON object of finite numbers.
        public static let metrics = Code("metrics")
        /// The artifact is missing or escapes `SLUICE_OUTPUT`.
        public static let artifact = Code("artifact")
        /// The spec's Python environment could not be found or built.
        public static let environment = Code("environment")
        /// An untrusted run needs a sandbox that this host cannot provide.
        public static let sandbox = Code("sandbox")
        /// The store failed; retry later.
        public static let store = Code("store")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
