import CodedErrors

/// Why a webhook was refused: what the sender must fix. `SluiceServer` maps the code to a status
/// (401 for `.unauthorized`, 400 for the rest) and the message to the JSON body.
public struct HookError: Error, Sendable, Hashable, CustomStringConvertible {
    public typealias Code = ErrorCode<HookError>

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

extension ErrorCode<HookError> {
    /// Missing or wrong signature, token or bearer credential. The body was not parsed.
    public static var unauthorized: Self { Self("unauthorized") }
    /// The body is not JSON (or not the JSON object expected).
    public static var malformed: Self { Self("malformed") }
    /// A field the event needs is absent or has the wrong type; `field` names it.
    public static var missingField: Self { Self("missing field") }
    /// A header the sender must send is absent or wrong (`X-GitHub-Event`, `webhook-timestamp`).
    public static var badHeader: Self { Self("bad header") }
}
