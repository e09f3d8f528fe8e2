import Foundation
@testable import Git
import SluiceTesting
import Testing

@Suite("Reading a commit without a checkout")
struct RepositoryReadTests {
    @Test("A file's bytes are read as they were at each commit, and a missing path is not found")
    func fileContentsAtCommit() throws {
        let remote = try TestRemote(.file)
        let first = try remote.fixture.commit([".sluice.yml": "version: 1\n", "src/a.py": ""])
        let second = try remote.fixture.commit([".sluice.yml": "version: 2\n"])
        try remote.fixture.push()
        let mirror = remote.mirror()
        try mirror.fetch()
        let repository = mirror.repository

        #expect(try repository.fileContents(at: ".sluice.yml", in: ObjectID(hex: first)!) == Data("version: 1\n".utf8))
        #expect(try repository.fileContents(at: ".sluice.yml", in: ObjectID(hex: second)!) == Data("version: 2\n".utf8))
        #expect(try repository.fileContents(at: "src/a.py", in: ObjectID(hex: second)!).isEmpty)
        let missing = #expect(throws: GitError.self) {
            try repository.fileContents(at: "nope.txt", in: ObjectID(hex: second)!)
        }
        #expect(missing?.code == .notFound)
        let directory = #expect(throws: GitError.self) {
            try repository.fileContents(at: "src", in: ObjectID(hex: second)!)
        }
        #expect(directory?.code == .invalidInput)
    }

    @Test("Tree ids are the same in every clone and change only when the path's content changes")
    func treeIDsStableAcrossClones() throws {
        let remote = try TestRemote(.http)
        let first = ObjectID(hex: try remote.fixture.commit(["src/model.py": "a\n", "README.md": "hi\n"]))!
        let second = ObjectID(hex: try remote.fixture.commit(["README.md": "hello\n"]))!
        try remote.fixture.push()
        let viaHTTP = remote.mirror("http-mirror")
        try viaHTTP.fetch()
        let viaFile = Mirror(path: remote.scratch.path("file-mirror"), remoteURL: remote.fixture.fileURL)
        try viaFile.fetch()

        let src = try viaHTTP.repository.objectID(at: "src", in: first)
        #expect(src != nil)
        #expect(try viaFile.repository.objectID(at: "src/", in: first) == src)
        #expect(try viaHTTP.repository.objectID(at: "src", in: second) == src)
        #expect(try viaHTTP.repository.objectID(at: "README.md", in: first)
            != viaHTTP.repository.objectID(at: "README.md", in: second))
        #expect(try viaHTTP.repository.objectID(at: "", in: first) != viaHTTP.repository.objectID(at: "", in: second))
        #expect(try viaHTTP.repository.objectID(at: "", in: first).map(\.hex)
            == GitCLI.run(["rev-parse", "\(first.hex)^{tree}"], in: remote.fixture.bare))
        #expect(try viaHTTP.repository.objectID(at: "missing/path", in: first) == nil)
    }

    @Test("Changed paths list what was added, modified and deleted between two commits")
    func changedPaths() throws {
        let remote = try TestRemote(.file)
        let old = ObjectID(hex: try remote.fixture.commit(["keep": "1", "edit": "1", "gone": "1"]))!
        let new = ObjectID(hex: try remote.fixture.commit(["edit": "2", "gone": nil, "dir/added": "1"]))!
        try remote.fixture.push()
        let mirror = remote.mirror()
        try mirror.fetch()
        #expect(try mirror.repository.changedPaths(from: old, to: new) == ["dir/added", "edit", "gone"])
        #expect(try mirror.repository.changedPaths(from: new, to: new).isEmpty)
    }

    @Test("Ancestry follows history: an older commit is an ancestor, a newer one is not")
    func ancestry() throws {
        let remote = try TestRemote(.file)
        let old = ObjectID(hex: try remote.fixture.commit(["a": "1"]))!
        let new = ObjectID(hex: try remote.fixture.commit(["a": "2"]))!
        try remote.fixture.push()
        let mirror = remote.mirror()
        try mirror.fetch()
        #expect(try mirror.repository.isAncestor(old, of: new))
        #expect(try !mirror.repository.isAncestor(new, of: old))
        #expect(try mirror.repository.isAncestor(new, of: new))
    }

    @Test("A revision that does not exist is not found, and a malformed one is invalid input")
    func resolveErrors() throws {
        let remote = try TestRemote(.file)
        try remote.fixture.commit(["a": "1"])
        try remote.fixture.push()
        let mirror = remote.mirror()
        try mirror.fetch()
        let missing = #expect(throws: GitError.self) { try mirror.repository.resolve("no-such-branch") }
        #expect(missing?.code == .notFound)
        let malformed = #expect(throws: GitError.self) { try mirror.repository.resolve("main@{") }
        #expect(malformed?.code == .invalidInput)
    }
}
