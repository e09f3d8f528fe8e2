import Foundation

/// Runs the git command-line tool, for building test fixtures and as the benchmark's reference.
/// The product itself never runs git; everything it does goes through libgit2.
///
/// Identity, dates and configuration are pinned so fixtures are reproducible and independent of
/// the machine's `~/.gitconfig`.
public enum GitCLI {
    public struct Failure: Error, CustomStringConvertible {
        public let arguments: [String]
        public let status: Int32
        public let output: String
        public var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    /// Runs `git arguments` in `directory` and returns its standard output, trimmed.
    @discardableResult
    public static func run(_ arguments: [String], in directory: URL? = nil, input: Data? = nil) throws -> String {
        try Command.run(
            "git", arguments, in: directory, environment: environment, input: input,
            failure: { status, output in Failure(arguments: arguments, status: status, output: output) })
    }

    /// Runs a `sh -c` pipeline that uses git (`git archive HEAD | tar -x`) with the same environment.
    @discardableResult
    public static func shell(_ script: String, in directory: URL? = nil) throws -> String {
        try Command.run(
            "sh", ["-c", script], in: directory, environment: environment, input: nil,
            failure: { status, output in Failure(arguments: ["(sh)", script], status: status, output: output) })
    }

    public static let environment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_AUTHOR_NAME"] = "Fixture Author"
        environment["GIT_AUTHOR_EMAIL"] = "author@example.com"
        environment["GIT_COMMITTER_NAME"] = "Fixture Committer"
        environment["GIT_COMMITTER_EMAIL"] = "committer@example.com"
        environment["GIT_AUTHOR_DATE"] = "2026-01-01T00:00:00Z"
        environment["GIT_COMMITTER_DATE"] = "2026-01-01T00:00:00Z"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        return environment
    }()
}
