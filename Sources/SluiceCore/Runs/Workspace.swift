import Foundation
import Git

/// One bare mirror per project, under `state_dir/mirrors/<project>.git`: cloned on a project's
/// first run, then brought up to date by incremental fetches, never cloned again.
///
/// Fetches of one mirror are serialised (libgit2 must not fetch into one repository twice at
/// once); different projects fetch side by side. The fetch itself blocks, so it runs off the
/// cooperative pool.
public actor Workspace {
    public let stateDirectory: URL
    private var fetches: [String: Task<FetchSummary, any Error>] = [:]

    public init(stateDirectory: URL) {
        self.stateDirectory = stateDirectory
    }

    /// The project's mirror, with the project's token as credentials (GitLab wants `oauth2` as the user).
    public nonisolated func mirror(for project: ProjectConfig) -> Mirror {
        let credentials = project.token.map { token in
            Credentials.token(token.revealed, username: project.forge == .gitlab ? "oauth2" : "x-access-token")
        }
        return Mirror(
            path: stateDirectory.appendingPathComponent("mirrors/\(project.name).git", isDirectory: true),
            remoteURL: project.repo, credentials: credentials)
    }

    /// Fetches the project's mirror (cloning it the first time) and returns it for reading.
    func refresh(_ project: ProjectConfig) async throws(RunError) -> (Repository, FetchSummary) {
        let mirror = mirror(for: project)
        let previous = fetches[project.name]
        let fetch = Task {
            _ = await previous?.result
            return try await blocking { () throws(GitError) -> FetchSummary in try mirror.fetch() }
        }
        fetches[project.name] = fetch
        do {
            return (mirror.repository, try await fetch.value)
        } catch {
            throw RunError(.workspace, "could not fetch \(project.name) from its repository: \(error)")
        }
    }
}
