/// What kind of failure an error is: an open set of names that callers compare with the static
/// members their module declares (`extension ErrorCode<GitError> { static var network: Self }`), so
/// a new kind needs no breaking change.
///
/// `Subject` only keeps one error's codes apart from another's; it is never stored.
public struct ErrorCode<Subject>: Hashable, Sendable, CustomStringConvertible {
    /// The kind's name as logs and JSON bodies show it ("not found").
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public var description: String { name }
}
