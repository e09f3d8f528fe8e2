/// Why a webhook was refused: what the sender must fix. `SluiceServer` maps the code to a status
/// (401 for `.unauthorized`, 400 for the rest) and the message to the JSON body.
public struct HookError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Missing or wrong signature, token or bearer credential. The body was not parsed.
        public static let unauthorized = Code("unauthorized")
        /// The body is not JSON (or not the JSON object expected).
        public static let malformed = Code("malformed")
        /// A field the event needs is absent or has the wrong type; `field` names it.
        public static let missingField = Code("missing field")
        /// A header the sender must send is absent or wrong (`X-GitHub-Event`, `webhook-timestamp`).
        public static let badHeader = Code("bad header")
    }

    public let code: Code
    /// The JSON path (`pull_request.head.sha`) or header name at fault, when there is one.
    public let field: String?
    public let message: String

    public init(_ code: Code, field: String? = nil, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
