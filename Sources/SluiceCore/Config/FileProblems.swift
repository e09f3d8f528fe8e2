/// Every problem found in one YAML file Sluice reads; nothing built from the file is used while
/// there is one. Its `description` prints one compiler-style line per problem, sorted by position,
/// so it can go straight to stderr or into a run's log.
public struct FileProblems<Subject>: Error, Sendable, Hashable, CustomStringConvertible {
    public let problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

/// Every problem found in a server config; the server refuses to start while there is one. A
/// terminal error: the operator must edit the file or the environment.
public typealias ConfigError = FileProblems<ServerConfig>

/// Every problem found in a repository's `.sluice.yml`; the run stops before any step executes. A
/// terminal error: someone must fix the file in the repository and push again; shortened, it is
/// the commit status's description.
public typealias SpecError = FileProblems<PipelineSpec>
