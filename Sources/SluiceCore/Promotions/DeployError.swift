/// Why a change could not be written to the deploy repository.
///
/// `isRetryable` separates what waits for the repository or the operator (unreachable, refused
/// credentials, a branch that kept moving) from what the change itself must fix (a path the
/// repository cannot hold). Messages never carry a credential: the `Git` module removes them.
public struct DeployError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The remote could not be reached, or the connection broke or stalled.
        public static let unreachable = Code("unreachable")
        /// The remote refused the credentials (`deploy.token_env`), or asked for some.
        public static let authentication = Code("authentication")
        /// Someone else pushed before every one of the attempts.
        public static let contended = Code("contended")
        /// The change cannot be written as it is (its path, its message).
        public static let invalidChange = Code("invalid change")
        /// The local clone or its lock failed.
        public static let local = Code("local")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the same change may succeed later without being changed.
    public var isRetryable: Bool { code != .invalidChange }

    public var description: String { message }
}
