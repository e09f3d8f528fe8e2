import Foundation
@testable import Git
import SluiceTesting
import Testing

@Suite("Exporting a commit's tree into a directory")
struct ExportTests {
    @Test("Export writes nested files, empty files, executable bits and symlinks exactly as git checks them out")
    func exportMatchesGitCheckout() throws {
        let remote = try TestRemote(.file)
        try remote.fixture.commit([
            "train.py": "print('train')\n",
            "src/deep/nested/model.py": "class Model: pass\n",
            "data/.gitkeep": "",
            "run.sh": "#!/bin/sh\necho run\n",
        ])
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: remote.fixture.work.appendingPathComponent("run.sh").path)
        try FileManager.default.createSymbolicLink(
            atPath: remote.fixture.work.appendingPathComponent("latest.py").path, withDestinationPath: "src/deep/nested/model.py")
        let head = ObjectID(hex: try remote.fixture.commit([:], message: "exec bit and link"))!
        try remote.fixture.push()
        let mirror = remote.mirror()
        try mirror.fetch()

        let target = remote.scratch.path("export")
        try mirror.repository.export(head, to: target)

        let manager = FileManager.default
        #expect(try String(contentsOf: target.appendingPathComponent("src/deep/nested/model.py"), encoding: .utf8)
            == "class Model: pass\n")
        #expect(try Data(contentsOf: target.appendingPathComponent("data/.gitkeep")).isEmpty)
        #expect(manager.isExecutableFile(atPath: target.appendingPathComponent("run.sh").path))
        #expect(!manager.isExecutableFile(atPath: target.appendingPathComponent("train.py").path))
        #expect(try manager.destinationOfSymbolicLink(atPath: target.appendingPathComponent("latest.py").path)
            == "src/deep/nested/model.py")
        #expect(!manager.fileExists(atPath: target.appendingPathComponent(".git").path))

        let reference = remote.scratch.path("reference")
        try GitCLI.run(["clone", "--quiet", remote.fixture.bare.path, reference.path])
        try manager.removeItem(at: reference.appendingPathComponent(".git"))
        #expect(try Self.listing(target) == Self.listing(reference))
    }

    @Test("Export refuses a directory that is not empty and leaves it untouched")
    func exportRefusesNonEmptyDirectory() throws {
        let remote = try TestRemote(.file)
        let head = ObjectID(hex: try remote.fixture.commit(["a": "1"]))!
        try remote.fixture.push()
        let mirror = remote.mirror()
        try mirror.fetch()
        let target = remote.scratch.path("busy")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: target.appendingPathComponent("keep.txt"))

        let error = #expect(throws: GitError.self) { try mirror.repository.export(head, to: target) }
        #expect(error?.code == .invalidInput)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["keep.txt"])
    }

    /// Every path under `root` with its kind, mode and content digest, sorted.
    static func listing(_ root: URL) throws -> [String] {
        let manager = FileManager.default
        let paths = try #require(manager.subpathsOfDirectory(atPath: root.path) as [String]?)
        return try paths.sorted().map { path in
            let full = root.appendingPathComponent(path).path
            let attributes = try manager.attributesOfItem(atPath: full)
            let type = attributes[.type] as? FileAttributeType
            let permissions = (attributes[.posixPermissions] as? Int).map { String($0, radix: 8) } ?? "?"
            switch type {
            case .typeSymbolicLink: return "\(path) -> \(try manager.destinationOfSymbolicLink(atPath: full))"
            case .typeDirectory: return "\(path)/"
            default: return "\(path) \(permissions) \(try Data(contentsOf: URL(fileURLWithPath: full)).hashValue)"
            }
        }
    }
}
