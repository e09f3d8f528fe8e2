@testable import Curl
import Foundation
import Logging
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite("Forges: commit statuses and pull-request comments on GitHub and GitLab")
struct ForgeTests {
    static let http = HTTPClient(retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(20)))
    static let commit = String(repeating: "c", count: 40)

    @Test("GitHub gets a sluice/gate status with a description cut to 140 characters, after riding out two 502s")
    func githubStatus() async throws {
        let fake = FakeForge(.github)
        try await fake.serve { apiURL in
            let forge = GitHubForge(apiURL: apiURL, repository: "acme/churn", token: Secret(fake.token), http: Self.http)
            fake.failNext(2)
            let long = "run 3: gate failed: " + String(repeating: "auc fell below its floor; ", count: 10)
            try await forge.setStatus(
                CommitStatus(state: .failure, description: long, targetURL: "https://sluice.example.com/runs/3"), of: Self.commit)
            #expect(fake.requests.count == 3)
            #expect(fake.requests.allSatisfy { $0.path == "/repos/acme/churn/statuses/\(Self.commit)" })
            let status = try #require(fake.statuses.first)
            #expect(status.state == "failure")
            #expect(status.context == "sluice/gate")
            #expect(status.description.count == 140)
            #expect(status.description.hasSuffix("…"))
            #expect(status.targetURL == "https://sluice.example.com/runs/3")
        }
    }

    @Test("A wrong GitHub token is refused with GitHub's message, and the error never shows the token")
    func githubBadToken() async throws {
        let fake = FakeForge(.github)
        try await fake.serve { apiURL in
            let forge = GitHubForge(apiURL: apiURL, repository: "acme/churn", token: Secret("wrong-token-99"), http: Self.http)
            let error = await #expect(throws: ForgeError.self) {
                try await forge.setStatus(CommitStatus(state: .pending, description: "run 1 is running", targetURL: nil), of: Self.commit)
            }
            #expect(error?.detail == 401)
            #expect(error?.message.contains("Bad credentials") == true)
            #expect(error?.message.contains("wrong-token-99") == false)
            #expect(fake.requests.count == 1, "a 401 is not retried")
        }
    }

    @Test("GitHub's comment is added once, then edited in place where the marker is")
    func githubComment() async throws {
        let fake = FakeForge(.github)
        try await fake.serve { apiURL in
            let forge = GitHubForge(apiURL: apiURL, repository: "acme/churn", token: Secret(fake.token), http: Self.http)
            let marker = RunReporter.marker(project: "churn", pullRequest: 4)
            try await forge.upsertComment("\(marker)\nfirst", marker: marker, onPullRequest: 4)
            try await forge.upsertComment("\(marker)\nsecond", marker: marker, onPullRequest: 4)
            #expect(fake.comments.map(\.body) == ["\(marker)\nsecond"])
            #expect(fake.requests.map(\.method) == ["GET", "POST", "GET", "PATCH"])
        }
    }

    @Test("GitLab gets running then success under sluice/gate, a repeated state is taken as done, and the note is upserted")
    func gitlab() async throws {
        let fake = FakeForge(.gitlab, repository: "data-team/churn")
        try await fake.serve { apiURL in
            let forge = GitLabForge(apiURL: apiURL, projectPath: "data-team/churn", token: Secret(fake.token), http: Self.http)
            try await forge.setStatus(CommitStatus(state: .running, description: "run 1 is running", targetURL: nil), of: Self.commit)
            try await forge.setStatus(CommitStatus(state: .running, description: "run 1 is running", targetURL: nil), of: Self.commit)
            try await forge.setStatus(CommitStatus(state: .success, description: "run 1: gate passed", targetURL: nil), of: Self.commit)
            #expect(fake.statuses.map(\.state) == ["running", "success"])
            #expect(fake.statuses.allSatisfy { $0.context == "sluice/gate" })
            #expect(fake.requests.first?.path == "/api/v4/projects/data-team%2Fchurn/statuses/\(Self.commit)")

            let marker = RunReporter.marker(project: "churn", pullRequest: 12)
            try await forge.upsertComment("\(marker)\nfirst", marker: marker, onPullRequest: 12)
            try await forge.upsertComment("\(marker)\nsecond", marker: marker, onPullRequest: 12)
            #expect(fake.comments.map(\.body) == ["\(marker)\nsecond"])
            #expect(fake.requests.suffix(4).map(\.method) == ["GET", "POST", "GET", "PUT"])
        }
    }

    @Test("The API address and repository path come from the clone URL, or from api_url")
    func locations() {
        func location(_ forge: ForgeKind, _ repo: String, api: String? = nil) -> String? {
            ProjectConfig(name: "p", forge: forge, repo: repo, apiURL: api).forgeLocation.map { "\($0.apiURL) \($0.path)" }
        }
        #expect(location(.github, "https://github.com/acme/churn.git") == "https://api.github.com acme/churn")
        #expect(location(.github, "git@github.com:acme/churn.git") == "https://api.github.com acme/churn")
        #expect(location(.github, "https://ghe.example.com/acme/churn") == "https://ghe.example.com/api/v3 acme/churn")
        #expect(location(.gitlab, "ssh://git@gitlab.example.com/data/ml/churn.git") == "https://gitlab.example.com/api/v4 data/ml/churn")
        #expect(location(.gitlab, "http://127.0.0.1:8929/data/churn.git") == "http://127.0.0.1:8929/api/v4 data/churn")
        #expect(location(.github, "file:///srv/churn.git") == nil)
        #expect(location(.generic, "https://git.example.com/acme/churn.git") == nil)
    }

    @Test("A run's page links its pull request on the forge's web host, for GitHub and GitLab alike")
    func pullRequestPages() {
        func page(_ forge: ForgeKind, _ repo: String, api: String? = nil) -> String? {
            ProjectConfig(name: "p", forge: forge, repo: repo, apiURL: api).pullRequestPage(7)
        }
        #expect(page(.github, "https://github.com/acme/churn.git") == "https://github.com/acme/churn/pull/7")
        #expect(page(.github, "git@ghe.example.com:acme/churn.git", api: "https://ghe.example.com/api/v3")
            == "https://ghe.example.com/acme/churn/pull/7")
        #expect(page(.gitlab, "ssh://git@gitlab.example.com/data/ml/churn.git")
            == "https://gitlab.example.com/data/ml/churn/-/merge_requests/7")
        #expect(page(.github, "file:///srv/churn.git", api: "http://127.0.0.1:9/api") == nil)
        #expect(page(.generic, "https://git.example.com/acme/churn.git") == nil)
    }

    @Test("A report the forge refuses is kept on the run, which keeps its state; the token is not in the log")
    func refusedReport() async throws {
        let fake = FakeForge(.github)
        try await fake.serve { apiURL in
            let scratch = try ScratchDirectory("sluice-reporter")
            let store = try Store(stateDirectory: scratch.path("state"))
            let config = ServerConfig(
                stateDirectory: scratch.path("state"),
                projects: [
                    ProjectConfig(
                        name: "churn", forge: .github, repo: "https://github.com/acme/churn.git",
                        token: Secret("revoked-token-31"), apiURL: apiURL)
                ])
            let lines = LogLines()
            let logger = Logger(label: "reporter") { _ in lines }
            let reporter = RunReporter(config: config, store: store, http: Self.http, logger: logger)
            let id = try await store.startRun(project: "churn", repository: "r", commit: Self.commit)
            try await store.finishRun(id, state: .passed, reason: "gate passed", conclusion: Run.Conclusion())
            await reporter.finished(try #require(try await store.run(id)), target: ReportTarget(commit: Self.commit, pullRequest: 3))
            let run = try #require(try await store.run(id))
            #expect(run.state == .passed)
            #expect(run.reportProblem?.contains("GitHub answered 401") == true)
            #expect(lines.text.contains("401"))
            #expect(!lines.text.contains("revoked-token-31"))
        }
    }

    @Test("The pull-request comment links the model's page, where each metric is charted across versions")
    func commentLinksTheCharts() throws {
        let scratch = try ScratchDirectory("sluice-reporter")
        let config = ServerConfig(
            publicURL: URL(string: "https://sluice.example.com"), stateDirectory: scratch.path("state"), projects: [])
        let reporter = RunReporter(
            config: config, store: try Store(stateDirectory: scratch.path("state")), http: Self.http,
            logger: Logger(label: "reporter"))
        let run = Run(
            id: Run.ID(5), project: "churn", repository: "r", commit: Self.commit, state: .gateFailed, reason: "gate failed",
            conclusion: Run.Conclusion(model: "churn"), startedAt: Date())
        let body = reporter.comment(on: run, marker: "<!-- m -->", limit: GitHubForge.maxCommentLength)
        #expect(body.contains("[run 5](https://sluice.example.com/runs/5)"))
        #expect(body.contains("[churn's metrics across versions](https://sluice.example.com/models/churn#metrics)"))
    }

    @Test("A comment longer than the forge takes is cut below its limit and keeps its marker")
    func cutComment() throws {
        let scratch = try ScratchDirectory("sluice-reporter")
        let config = ServerConfig(stateDirectory: scratch.path("state"), projects: [])
        let reporter = RunReporter(
            config: config, store: try Store(stateDirectory: scratch.path("state")), http: Self.http,
            logger: Logger(label: "reporter"))
        let run = Run(
            id: Run.ID(5), project: "churn", repository: "r", commit: Self.commit, state: .error,
            reason: String(repeating: "x", count: 70_000), conclusion: Run.Conclusion(), startedAt: Date())
        let marker = RunReporter.marker(project: "churn", pullRequest: 1)
        let body = reporter.comment(on: run, marker: marker, limit: GitHubForge.maxCommentLength)
        #expect(body.count <= GitHubForge.maxCommentLength)
        #expect(body.hasPrefix(marker))
        #expect(body.hasSuffix("the whole table is on the run's page.\n"))
    }
}

/// Collects log lines (message and metadata) for a test to read.
final class LogLines: LogHandler, Sendable {
    private let lines = Recorder()
    var text: String { lines.all.joined(separator: "\n") }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        lines.record("\(event.level) \(event.message) \(event.metadata ?? [:])")
    }
}
