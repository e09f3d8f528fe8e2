import CodedErrors

/// Why a change could not be written to the deploy repository.
///
/// `isRetryable` separates what waits for the repository or the operator (unreachable, refused
/// credentials, a branch that kept moving) from what the change itself must fix (a path the
/// repository cannot hold). Messages never carry a credential: the `Git` module removes them.
public typealias DeployError = CodedError<DeployRepository, NoDetail>

extension ErrorCode<DeployRepository> {
    /// The remote could not be reached, or the connection broke or stalled.
    static var unreachable: Self { Self("unreachable") }
    /// The remote refused the credentials (`deploy.token_env`), or asked for some.
    public static var authentication: Self { Self("authentication") }
    /// Someone else pushed before every one of the attempts.
    static var contended: Self { Self("contended") }
    /// The change cannot be written as it is (its path, its message).
    static var invalidChange: Self { Self("invalid change") }
    /// The local clone or its lock failed.
    public static var local: Self { Self("local") }
}

extension CodedError<DeployRepository, NoDetail> {
    /// Whether the same change may succeed later without being changed.
    public var isRetryable: Bool { code != .invalidChange }
}
