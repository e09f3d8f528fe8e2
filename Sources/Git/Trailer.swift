/// A `Key: value` line at the end of a commit message (`Model-Version: 7`), readable by
/// `git interpret-trailers` and by forges.
public struct Trailer: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
