import Foundation
@testable import Git
@testable import SluiceCore
import SluiceTesting
import Testing

/// Sluice's side of the shared deploy repository fixture: its config, writers and changes.
extension DeployRemote {
    var config: DeployConfig {
        DeployConfig(repo: url, token: Secret(Self.password), username: Self.user)
    }

    /// A Sluice writer with its own state directory.
    func writer(_ name: String = "state") -> DeployRepository {
        DeployRepository(config: config, stateDirectory: scratch.path(name), clock: SystemClock())
    }

    static func change(_ number: Int, model: String = "churn", contents: String? = nil, installation: String = "abc")
        -> ManifestChange
    {
        ManifestChange(
            path: "environments/production/\(model).yaml", contents: Data((contents ?? "version: \(number)\n").utf8),
            message: "Promote \(model) v\(number) to production", trailers: [Trailer("Sluice-Model", "\(model) v\(number)")],
            identity: Trailer("Sluice-Promotion", "\(number)@\(installation)"),
            notBefore: Date(timeIntervalSince1970: 1_700_000_000),
            author: Signature(name: "Sluice", email: "sluice@example.com"))
    }
}

@Suite("Deploy repository: commit if changed, push, exactly once")
struct DeployRepositoryTests {
    @Test("A change lands as one commit with its trailers; the same change again finds it and makes none")
    func exactlyOnce() async throws {
        let remote = try DeployRemote()
        let writer = remote.writer()
        let change = DeployRemote.change(1)
        guard case .committed(let commit) = try await writer.apply(change) else {
            Issue.record("expected a commit")
            return
        }
        #expect(remote.fixture.remoteCommit("main") == commit.hex)
        #expect(try remote.git(["show", "main:environments/production/churn.yaml"]) == "version: 1")
        #expect(try remote.git(["log", "-1", "--format=%s|%an", "main"]) == "Promote churn v1 to production|Sluice")
        #expect(try remote.commits(carrying: Trailer("Sluice-Model", "churn v1")).count == 1)

        #expect(try await writer.apply(change) == .alreadyApplied(commit))
        #expect(try remote.commits(carrying: change.identity).count == 1)
    }

    @Test("A file that already holds the manifest is left alone: no commit, the remote's tip is the answer")
    func unchanged() async throws {
        let remote = try DeployRemote()
        let writer = remote.writer()
        _ = try await writer.apply(DeployRemote.change(1))
        let tip = try #require(remote.fixture.remoteCommit("main"))
        let same = DeployRemote.change(2, contents: "version: 1\n")
        #expect(try await writer.apply(same).commit.hex == tip)
        #expect(try remote.git(["rev-list", "--count", "main"]) == "2")
    }

    @Test("Someone else pushed after Sluice last looked: Sluice's one commit lands on top and theirs is kept")
    func someoneElsePushedFirst() async throws {
        let remote = try DeployRemote()
        let writer = remote.writer()
        _ = try await writer.apply(DeployRemote.change(1))
        try remote.fixture.git(["pull", "--quiet", "origin", "main"])
        try remote.fixture.commit(["environments/production/fraud.yaml": "theirs\n"], message: "Hand-edit fraud")
        try remote.fixture.push()

        guard case .committed = try await writer.apply(DeployRemote.change(2)) else {
            Issue.record("expected a commit")
            return
        }
        #expect(try remote.git(["log", "--format=%s", "main"]).split(separator: "\n") == [
            "Promote churn v2 to production", "Hand-edit fraud", "Promote churn v1 to production",
            "Start the deploy repository",
        ])
        #expect(try remote.git(["show", "main:environments/production/fraud.yaml"]) == "theirs")
        #expect(try remote.git(["show", "main:environments/production/churn.yaml"]) == "version: 2")
    }

    @Test("Two Sluice installations writing at once: every change lands exactly once, nothing is lost")
    func racingWriters() async throws {
        let remote = try DeployRemote()
        let (first, second) = (remote.writer("first"), remote.writer("second"))
        try await withThrowingTaskGroup { group in
            for number in 1...4 {
                group.addTask { _ = try await first.apply(DeployRemote.change(number, model: "churn", installation: "one")) }
                group.addTask { _ = try await second.apply(DeployRemote.change(number, model: "fraud", installation: "two")) }
            }
            try await group.waitForAll()
        }
        for (model, installation) in [("churn", "one"), ("fraud", "two")] {
            for number in 1...4 {
                #expect(try remote.commits(carrying: Trailer("Sluice-Promotion", "\(number)@\(installation)")).count == 1)
            }
            #expect(try remote.git(["show", "main:environments/production/\(model).yaml"]).hasPrefix("version: "))
        }
        #expect(try remote.git(["rev-list", "--count", "main"]) == "9")
    }

    @Test("A wrong token is an authentication failure that may be retried, and the token is not in the message")
    func wrongToken() async throws {
        let remote = try DeployRemote()
        var config = remote.config
        config.token = Secret("not-the-password-31337")
        let error = await #expect(throws: DeployError.self) {
            try await DeployRepository(config: config, stateDirectory: remote.scratch.path("state"), clock: SystemClock())
                .apply(DeployRemote.change(1))
        }
        #expect(error?.code == .authentication)
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("not-the-password-31337") == false)
    }
}
