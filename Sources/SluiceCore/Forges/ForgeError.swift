import CodedErrors

/// A report the forge did not take, after the HTTP client's retries.
///
/// `detail` is the HTTP status, when the forge answered. The message says what failed, with the
/// forge's own message when it gave one; never a token.
public typealias ForgeError = CodedError<any Forge, Int?>

extension ErrorCode<any Forge> {
    /// The forge could not be reached (connection, timeout, TLS).
    static var unreachable: Self { Self("unreachable") }
    /// The forge answered with an error status.
    public static var refused: Self { Self("refused") }
    /// The forge answered with something its API does not send.
    static var unexpectedAnswer: Self { Self("unexpectedAnswer") }
}
