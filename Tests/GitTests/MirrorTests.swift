import Foundation
@testable import Git
import SluiceTesting
import Synchronization
import Testing

@Suite("Mirror: clone once, then incremental fetch with prune")
struct MirrorTests {
    @Test("A first fetch creates the mirror with every branch and tag and the remote's default branch as HEAD",
          arguments: Transport.allCases)
    func firstFetchCreatesMirror(transport: Transport) throws {
        let remote = try TestRemote(transport)
        let main = try remote.fixture.commit(["train.py": "print('v1')\n"])
        try remote.fixture.git(["tag", "-a", "v1", "-m", "release v1"])
        try remote.fixture.git(["checkout", "--quiet", "-b", "experiment"])
        let experiment = try remote.fixture.commit(["train.py": "print('exp')\n"])
        try remote.fixture.git(["checkout", "--quiet", "main"])
        try remote.fixture.git(["push", "--quiet", "origin", "main", "experiment", "v1"])

        let summary = try remote.mirror().fetch()

        #expect(summary.created)
        #expect(summary.defaultBranch == "main")
        let repository = remote.mirror().repository
        #expect(try repository.defaultBranch() == "main")
        #expect(try repository.references() == [
            "refs/heads/main": ObjectID(hex: main)!,
            "refs/heads/experiment": ObjectID(hex: experiment)!,
            "refs/tags/v1": ObjectID(hex: main)!,
        ])
        #expect(try repository.resolve("v1").hex == main)
        #expect(try repository.resolve("HEAD").hex == main)
        #expect(try repository.resolve(main).hex == main)
    }

    @Test("An incremental fetch brings new commits, moves force-pushed branches and drops deleted branches and tags",
          arguments: Transport.allCases)
    func incrementalFetchMirrorsRemote(transport: Transport) throws {
        let remote = try TestRemote(transport)
        let base = try remote.fixture.commit(["train.py": "v1\n"])
        let dropped = try remote.fixture.commit(["train.py": "v2\n"])
        try remote.fixture.git(["branch", "doomed"])
        try remote.fixture.git(["tag", "old-tag"])
        try remote.fixture.git(["push", "--quiet", "origin", "main", "doomed", "old-tag"])
        let mirror = remote.mirror()
        try mirror.fetch()

        try remote.fixture.git(["reset", "--quiet", "--hard", base])
        let rewritten = try remote.fixture.commit(["train.py": "v2-rewritten\n"])
        try remote.fixture.push(force: true)
        try remote.fixture.git(["push", "--quiet", "origin", "--delete", "doomed", "old-tag"])
        try remote.fixture.git(["checkout", "--quiet", "-b", "feature"])
        let feature = try remote.fixture.commit(["src/model.py": "pass\n"])
        try remote.fixture.push("feature")

        let summary = try mirror.fetch()

        #expect(!summary.created)
        #expect(summary.received.receivedObjects > 0)
        #expect(try mirror.repository.references() == [
            "refs/heads/main": ObjectID(hex: rewritten)!,
            "refs/heads/feature": ObjectID(hex: feature)!,
        ])
        #expect(try !mirror.repository.isAncestor(ObjectID(hex: dropped)!, of: ObjectID(hex: rewritten)!))
        #expect(try mirror.repository.isAncestor(ObjectID(hex: base)!, of: ObjectID(hex: feature)!))
    }

    @Test("A fetch with nothing new transfers no objects")
    func fetchWithNothingNew() throws {
        let remote = try TestRemote(.http)
        try remote.fixture.commit(["a": "1"])
        try remote.fixture.push()
        let mirror = remote.mirror()
        try mirror.fetch()
        let summary = try mirror.fetch()
        #expect(summary.received.receivedObjects == 0)
    }

    @Test("Fetching reports transfer progress, and a cancellation stops it with a cancelled error")
    func progressAndCancellation() throws {
        let remote = try TestRemote(.http)
        try remote.fixture.commit(Self.incompressibleFiles(count: 20, size: 100_000))
        try remote.fixture.push()

        let reports = Mutex<[TransferProgress]>([])
        try remote.mirror("reported").fetch(progress: { progress in reports.withLock { $0.append(progress) } })
        let last = try #require(reports.withLock { $0.last })
        #expect(last.totalObjects > 20)
        #expect(last.receivedObjects == last.totalObjects)
        #expect(last.receivedBytes > 1_000_000)

        let cancellation = Cancellation()
        let cancelled = remote.mirror("cancelled")
        let error = #expect(throws: GitError.self) {
            try cancelled.fetch(progress: { _ in cancellation.cancel() }, cancellation: cancellation)
        }
        #expect(error?.code == .cancelled)
        #expect(throws: GitError.self) { try cancelled.repository.resolve("main") }
    }

    @Test("A server killed mid-fetch leaves the mirror usable for the next fetch")
    func serverKilledMidFetch() throws {
        let remote = try TestRemote(.http)
        let first = try remote.fixture.commit(["a": "1"])
        try remote.fixture.push()
        let mirror = remote.mirror()
        try mirror.fetch()
        let big = try remote.fixture.commit(Self.incompressibleFiles(count: 12, size: 250_000))
        try remote.fixture.push()

        let server = try #require(remote.server)
        let error = #expect(throws: GitError.self) {
            try mirror.fetch(progress: { progress in
                if progress.receivedBytes > 100_000 { server.kill() }
            })
        }
        #expect(error?.code == .network)
        #expect(try mirror.repository.resolve("main").hex == first)

        let restarted = try GitHTTPServer(root: remote.fixture.bare.deletingLastPathComponent())
        var moved = mirror
        moved.remoteURL = restarted.url("model.git")
        try moved.fetch()
        #expect(try moved.repository.resolve("main").hex == big)
        #expect(try moved.repository.fileContents(at: "file-11.bin", in: ObjectID(hex: big)!).count == 250_000)
    }

    @Test("An empty remote gives an empty mirror without a default branch")
    func emptyRemote() throws {
        let remote = try TestRemote(.file)
        let summary = try remote.mirror().fetch()
        #expect(summary.defaultBranch == nil)
        #expect(try remote.mirror().repository.references().isEmpty)
    }

    @Test("A remote that does not exist is reported as not found", arguments: Transport.allCases)
    func missingRemote(transport: Transport) throws {
        let remote = try TestRemote(transport)
        let mirror = Mirror(path: remote.scratch.path("m"), remoteURL: remote.url.replacingOccurrences(of: "model.git", with: "nope.git"))
        let error = #expect(throws: GitError.self) { try mirror.fetch() }
        #expect(error?.code == .notFound, "\(String(describing: error))")
    }

    /// Hex text from a fixed seed: deterministic, and too dense for git to compress much.
    static func incompressibleFiles(count: Int, size: Int) -> [String: String?] {
        var generator = SeededGenerator(seed: 42)
        var files: [String: String?] = [:]
        for index in 0..<count {
            files["file-\(index).bin"] = generator.hexText(count: size)
        }
        return files
    }
}
