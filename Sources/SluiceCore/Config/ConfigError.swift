/// Every problem found in a server config; the server refuses to start while there is one.
///
/// A bad config is a terminal error: the operator must edit the file or the environment. Its
/// `description` prints one compiler-style line per problem, sorted by position, so it can go
/// straight to stderr.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public let problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
