import CodedErrors

/// Why a webhook was refused: what the sender must fix. `SluiceServer` maps the code to a status
/// (401 for `.unauthorized`, 400 for the rest) and the message to the JSON body.
///
/// `detail` is the JSON path (`pull_request.head.sha`) or header name at fault, when there is one.
public typealias HookError = CodedError<IncomingDelivery, String?>

extension ErrorCode<IncomingDelivery> {
    /// Missing or wrong signature, token or bearer credential. The body was not parsed.
    public static var unauthorized: Self { Self("unauthorized") }
    /// The body is not JSON (or not the JSON object expected).
    public static var malformed: Self { Self("malformed") }
    /// A field the event needs is absent or has the wrong type; `detail` names it.
    static var missingField: Self { Self("missing field") }
    /// A header the sender must send is absent or wrong (`X-GitHub-Event`, `webhook-timestamp`).
    static var badHeader: Self { Self("bad header") }
}
