/// A failure: what kind it is, what it is about, and what to do about it. Sluice's errors share
/// this one shape (`typealias RunError = CodedError<Run, NoDetail>`,
/// `typealias ArtifactError = CodedError<ArtifactStore, String>` with the path at fault).
public struct CodedError<Subject, Detail: Hashable & Sendable>: Error, Hashable, Sendable, CustomStringConvertible {
    public typealias Code = ErrorCode<Subject>

    public let code: Code
    /// What is at fault besides the kind, as each error's typealias says (the path, the template,
    /// the JSON field, the HTTP status); ``NoDetail`` for errors that need none.
    public let detail: Detail
    /// Says what went wrong and what to fix; shown to users as it is.
    public let message: String

    public init(_ code: Code, _ detail: Detail, _ message: String) {
        self.code = code
        self.detail = detail
        self.message = message
    }

    public var description: String { message }
}

/// The detail of an error whose kind and message say it all.
public struct NoDetail: Hashable, Sendable {}

extension CodedError where Detail == NoDetail {
    public init(_ code: Code, _ message: String) {
        self.init(code, NoDetail(), message)
    }
}

extension CodedError {
    /// An error whose optional detail is absent.
    public init<Wrapped>(_ code: Code, _ message: String) where Detail == Wrapped? {
        self.init(code, nil, message)
    }
}
