/// A named family of data objects: a data event whose URI matches retrains its subscribers.
///
/// `match` is a glob over the whole object URI, where `*` matches anything including `/`, so
/// `s3://lake/transactions/*` covers every object under that prefix.
public struct DatasetConfig: Sendable, Hashable {
    public var name: String
    public var match: String

    public init(name: String, match: String) {
        self.name = name
        self.match = match
    }

    /// Whether a data object's URI belongs to this dataset.
    public func matches(uri: String) -> Bool {
        GlobPattern(match).matches(uri)
    }
}
