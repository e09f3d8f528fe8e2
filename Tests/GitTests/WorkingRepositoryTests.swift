import Foundation
@testable import Git
import SluiceTesting
import Testing

@Suite("Working repository: write, commit if changed, push")
struct WorkingRepositoryTests {
    static let author = Signature(name: "Sluice", email: "sluice@example.com", date: Date(timeIntervalSince1970: 1_800_000_000))

    @Test("A change is committed with its trailers and pushed; writing the same content again is unchanged",
          arguments: Transport.allCases)
    func commitAndPush(transport: Transport) throws {
        let remote = try TestRemote(transport)
        try remote.fixture.commit(["README.md": "deploy repo\n"])
        try remote.fixture.push()
        let clone = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("deploy"))

        try clone.write(Data("kind: InferenceService\n".utf8), to: "environments/staging/churn.yaml")
        let outcome = try clone.commit(
            message: "Promote churn v3 to staging",
            trailers: [Trailer("Model-Version", "3"), Trailer("Approved-By", "alice")],
            author: Self.author)
        guard case .committed(let commit) = outcome else {
            Issue.record("expected a commit, got \(outcome)")
            return
        }
        #expect(try clone.push() == commit)

        #expect(remote.fixture.remoteCommit("main") == commit.hex)
        #expect(try GitCLI.run(["show", "main:environments/staging/churn.yaml"], in: remote.fixture.bare)
            == "kind: InferenceService")
        #expect(try GitCLI.run(["log", "-1", "--format=%(trailers:key=Model-Version,valueonly)", "main"], in: remote.fixture.bare)
            == "3")
        #expect(try GitCLI.run(["log", "-1", "--format=%s|%an|%ae|%at", "main"], in: remote.fixture.bare)
            == "Promote churn v3 to staging|Sluice|sluice@example.com|1800000000")

        try clone.write(Data("kind: InferenceService\n".utf8), to: "environments/staging/churn.yaml")
        #expect(try clone.commit(message: "again", author: Self.author) == .unchanged)
    }

    @Test("Removing a file commits its deletion")
    func removeCommitsDeletion() throws {
        let remote = try TestRemote(.file)
        try remote.fixture.commit(["environments/old.yaml": "x\n", "keep": "1"])
        try remote.fixture.push()
        let clone = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("deploy"))
        try clone.remove("environments/old.yaml")
        guard case .committed = try clone.commit(message: "drop old", author: Self.author) else {
            Issue.record("expected a commit")
            return
        }
        try clone.push()
        #expect(try GitCLI.run(["ls-tree", "-r", "--name-only", "main"], in: remote.fixture.bare) == "keep")
    }

    @Test("The first commit into an empty remote creates the branch")
    func firstCommitIntoEmptyRemote() throws {
        let remote = try TestRemote(.http)
        let clone = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("deploy"))
        #expect(try clone.commit(message: "nothing", author: Self.author) == .unchanged)
        try clone.write(Data("a\n".utf8), to: "a.yaml")
        guard case .committed(let commit) = try clone.commit(message: "first", author: Self.author) else {
            Issue.record("expected a commit")
            return
        }
        try clone.push()
        #expect(remote.fixture.remoteCommit("refs/heads/main") == commit.hex)
    }

    @Test("A push after someone else pushed first is rejected; reset, re-apply and push lands exactly one commit",
          arguments: Transport.allCases)
    func rejectedPushThenRetry(transport: Transport) throws {
        let remote = try TestRemote(transport)
        try remote.fixture.commit(["README.md": "deploy\n"])
        try remote.fixture.push()
        let ours = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("ours"))
        let theirs = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("theirs"))

        try theirs.write(Data("b\n".utf8), to: "environments/production/fraud.yaml")
        _ = try theirs.commit(message: "Promote fraud", author: Self.author)
        let theirCommit = try theirs.push()

        try ours.write(Data("a\n".utf8), to: "environments/staging/churn.yaml")
        _ = try ours.commit(message: "Promote churn", author: Self.author)
        let error = #expect(throws: GitError.self) { try ours.push() }
        #expect(error?.code == .rejectedPush)
        #expect(remote.fixture.remoteCommit("main") == theirCommit.hex)

        #expect(try ours.resetToRemote() == theirCommit)
        #expect(!FileManager.default.fileExists(atPath: ours.directory.appendingPathComponent("environments/staging/churn.yaml").path))
        try ours.write(Data("a\n".utf8), to: "environments/staging/churn.yaml")
        guard case .committed(let retried) = try ours.commit(message: "Promote churn", author: Self.author) else {
            Issue.record("expected a commit after re-applying")
            return
        }
        try ours.push()
        #expect(remote.fixture.remoteCommit("main") == retried.hex)
        #expect(try GitCLI.run(["log", "--format=%s", "main"], in: remote.fixture.bare)
            == "Promote churn\nPromote fraud\nchange")
    }

    /// Over smart HTTP only: libgit2's `file://` transport writes refs directly and runs no hooks.
    @Test("A push the server refuses (a pre-receive hook declines it) is a rejected push, not a success")
    func serverRefusesPush() throws {
        let remote = try TestRemote(.http)
        let original = try remote.fixture.commit(["README.md": "deploy\n"])
        try remote.fixture.push()
        let hook = remote.fixture.bare.appendingPathComponent("hooks/pre-receive")
        try Data("#!/bin/sh\necho 'main is protected' >&2\nexit 1\n".utf8).write(to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        let clone = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("deploy"))
        try clone.write(Data("a\n".utf8), to: "a.yaml")
        _ = try clone.commit(message: "Promote", author: Self.author)

        let error = #expect(throws: GitError.self) { try clone.push() }
        #expect(error?.code == .rejectedPush)
        #expect(error?.message.contains("refs/heads/main") == true)
        #expect(remote.fixture.remoteCommit("main") == original)
    }

    @Test("Pushing over HTTP with a wrong password is an authentication error without the password")
    func pushWithWrongPassword() throws {
        let remote = try TestRemote(.http, basicAuth: ("deployer", "right-one"))
        try remote.fixture.commit(["a": "1"])
        try remote.fixture.push()
        let clone = try WorkingRepository.clone(
            from: remote.url, branch: "main", into: remote.scratch.path("deploy"),
            credentials: .password(username: "deployer", password: "right-one"))
        try clone.write(Data("b".utf8), to: "b")
        _ = try clone.commit(message: "b", author: Self.author)
        var wrong = clone
        wrong.credentials = .password(username: "deployer", password: "wrong-one-987")
        let error = #expect(throws: GitError.self) { try wrong.push() }
        #expect(error?.code == .authentication)
        #expect(!String(describing: error).contains("wrong-one-987"))
        try clone.push()
    }

    @Test("Paths that would leave the work tree are refused", arguments: ["../escape", "/etc/passwd", "a/../../b", ".git/config", ""])
    func pathsOutsideRefused(path: String) throws {
        let remote = try TestRemote(.file)
        let clone = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("deploy"))
        let error = #expect(throws: GitError.self) { try clone.write(Data("x".utf8), to: path) }
        #expect(error?.code == .invalidInput)
    }

    @Test("A path through a symlink is refused")
    func symlinkRefused() throws {
        let remote = try TestRemote(.file)
        let clone = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("deploy"))
        try FileManager.default.createSymbolicLink(
            at: clone.directory.appendingPathComponent("out"), withDestinationURL: remote.scratch.url)
        let error = #expect(throws: GitError.self) { try clone.write(Data("x".utf8), to: "out/file.yaml") }
        #expect(error?.code == .invalidInput)
    }
}
