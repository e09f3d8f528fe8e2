/// Every problem found in a repository's `.sluice.yml`; the run stops before any step executes.
///
/// A bad spec is a terminal error: someone must fix the file in the repository and push again.
/// Its `description` prints one compiler-style line per problem, sorted by position, so it can go
/// straight into the run's log and, shortened, into the commit status.
public struct SpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public let problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
