/// A failure that says only what kind it is and what to do about it: the shape most of Sluice's
/// errors share (`typealias RunError = CodedError<Run>`), declared once.
///
/// Errors that carry more (the path, the step, the HTTP status at fault) are structs of their own
/// that use `ErrorCode` for their kind.
public struct CodedError<Subject>: Error, Hashable, Sendable, CustomStringConvertible {
    public typealias Code = ErrorCode<Subject>

    public let code: Code
    /// Says what went wrong and what to fix; shown to users as it is.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
