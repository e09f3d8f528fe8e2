/// A report the forge did not take, after the HTTP client's retries.
public struct ForgeError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The forge could not be reached (connection, timeout, TLS).
        public static let unreachable = Code(rawValue: "unreachable")
        /// The forge answered with an error status.
        public static let refused = Code(rawValue: "refused")
        /// The forge answered with something its API does not send.
        public static let unexpectedAnswer = Code(rawValue: "unexpectedAnswer")

        public var description: String { rawValue }
    }

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
