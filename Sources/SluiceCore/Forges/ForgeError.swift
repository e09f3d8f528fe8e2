import CodedErrors

/// A report the forge did not take, after the HTTP client's retries.
public struct ForgeError: Error, Sendable, Hashable, CustomStringConvertible {
    public typealias Code = ErrorCode<ForgeError>

    public var code: Code
    /// The HTTP status, when the forge answered.
    public var status: Int?
    /// What failed, with the forge's own message when it gave one; never a token.
    public var message: String

    public init(_ code: Code, status: Int? = nil, _ message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { message }
}

extension ErrorCode<ForgeError> {
    /// The forge could not be reached (connection, timeout, TLS).
    public static var unreachable: Self { Self("unreachable") }
    /// The forge answered with an error status.
    public static var refused: Self { Self("refused") }
    /// The forge answered with something its API does not send.
    public static var unexpectedAnswer: Self { Self("unexpectedAnswer") }
}
