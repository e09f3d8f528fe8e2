import Foundation
@testable import Git
import SluiceTesting
import Testing

@Suite("History: commit details, trailer search, the remote as last seen")
struct HistoryTests {
    static let author = Signature(name: "Sluice", email: "sluice@example.com", date: Date(timeIntervalSince1970: 1_800_000_000))

    @Test("A commit's author, message and trailers read back as git wrote them")
    func commitDetails() throws {
        let remote = try TestRemote(.file)
        let id = try remote.fixture.commit(
            ["a": "1"], message: "Promote churn v3\n\nBody text.\n\nSluice-Promotion: 4@abc\nSluice-Model: churn v3")
        let details = try Repository(at: remote.fixture.work).commit(try #require(ObjectID(hex: id)))
        #expect(details.author.name == "Fixture Author")
        #expect(details.author.email == "author@example.com")
        #expect(details.summary == "Promote churn v3")
        #expect(details.trailers == [Trailer("Sluice-Promotion", "4@abc"), Trailer("Sluice-Model", "churn v3")])
    }

    @Test("The newest commit carrying a trailer is found behind later commits; a value that differs is not a match")
    func trailerSearch() throws {
        let remote = try TestRemote(.file)
        try remote.fixture.commit(["a": "1"], message: "first\n\nSluice-Promotion: 1@abc")
        let marked = try remote.fixture.commit(["a": "2"], message: "second\n\nSluice-Promotion: 12@abc")
        try remote.fixture.commit(["b": "1"], message: "someone else's change")
        let repository = Repository(at: remote.fixture.work)
        let tip = try repository.resolve("HEAD")
        #expect(try repository.newestCommit(from: tip, carrying: Trailer("Sluice-Promotion", "12@abc"))?.hex == marked)
        #expect(try repository.newestCommit(from: tip, carrying: Trailer("Sluice-Promotion", "2@abc")) == nil)
        #expect(try repository.newestCommit(from: tip, carrying: Trailer("Sluice-Promotion", "12@abc"), limit: 1) == nil)
        // The fixture's commits are all dated 2026-01-01, so a later cutoff stops before them.
        let later = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try repository.newestCommit(from: tip, carrying: Trailer("Sluice-Promotion", "12@abc"), since: later) == nil)
    }

    @Test("A push moves the remote as last seen; a commit that never reached the remote is dropped without a fetch",
          arguments: Transport.allCases)
    func lastSeenRemote(transport: Transport) throws {
        let remote = try TestRemote(transport)
        try remote.fixture.commit(["README.md": "deploy\n"])
        try remote.fixture.push()
        let clone = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("deploy"))
        try clone.write(Data("a\n".utf8), to: "a.yaml")
        guard case .committed(let pushed) = try clone.commit(message: "pushed", author: Self.author) else {
            Issue.record("expected a commit")
            return
        }
        try clone.push()
        #expect(try clone.repository.resolve("refs/remotes/origin/main") == pushed)

        try clone.write(Data("b\n".utf8), to: "b.yaml")
        _ = try clone.commit(message: "never pushed", author: Self.author)
        #expect(try clone.resetToLastSeenRemote() == pushed)
        #expect(try clone.repository.resolve("main") == pushed)
        #expect(!FileManager.default.fileExists(atPath: clone.directory.appendingPathComponent("b.yaml").path))
    }

    @Test("On an empty remote, a commit that never reached it is dropped and the branch is unborn again")
    func unbornAgain() throws {
        let remote = try TestRemote(.file)
        let clone = try WorkingRepository.clone(from: remote.url, branch: "main", into: remote.scratch.path("deploy"))
        try clone.write(Data("a\n".utf8), to: "env/a.yaml")
        _ = try clone.commit(message: "never pushed", author: Self.author)
        #expect(try clone.resetToLastSeenRemote() == nil)
        #expect(throws: GitError.self) { try clone.repository.resolve("main") }
        #expect(!FileManager.default.fileExists(atPath: clone.directory.appendingPathComponent("env").path))
        try clone.write(Data("b\n".utf8), to: "b.yaml")
        guard case .committed(let first) = try clone.commit(message: "first", author: Self.author) else {
            Issue.record("expected a commit")
            return
        }
        try clone.push()
        #expect(try GitCLI.run(["ls-tree", "-r", "--name-only", "main"], in: remote.fixture.bare) == "b.yaml")
        #expect(remote.fixture.remoteCommit("main") == first.hex)
    }
}
