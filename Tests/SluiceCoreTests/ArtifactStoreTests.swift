import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Artifact store: content-addressed blobs under state_dir/artifacts/sha256")
struct ArtifactStoreTests {
    private let fileManager = FileManager.default

    /// A scratch directory with an output directory `out/` and a state directory `state/`.
    private func setUp() throws -> (ScratchDirectory, ArtifactStore) {
        let scratch = try ScratchDirectory("artifact-store")
        try fileManager.createDirectory(at: scratch.path("out"), withIntermediateDirectories: true)
        return (scratch, ArtifactStore(directory: scratch.path("state/artifacts")))
    }

    private func blobPath(_ digest: Digest, in store: ArtifactStore) -> String {
        store.blobs.appending(path: digest.hex).path
    }

    private func contents(_ digest: Digest, in store: ArtifactStore) throws -> String {
        String(decoding: try Data(contentsOf: try store.open(digest).url), as: UTF8.self)
    }

    /// Overwrites a stored blob's bytes, as a disk fault or a careless operator would.
    private func corrupt(_ digest: Digest, in store: ArtifactStore, with text: String) throws {
        let path = blobPath(digest, in: store)
        try fileManager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A time well past the grace period, so garbage collection considers every file.
    private var later: Date { Date().addingTimeInterval(2 * ArtifactStore.gracePeriod) }

    @Test("A stored file is named by the digest ArtifactDigest gives it, and storing it again changes nothing")
    func putFile() throws {
        let (scratch, store) = try setUp()
        let model = try scratch.write("weights", to: "out/model.bin")
        let digest = try store.put(file: model)
        #expect(digest == (try ArtifactDigest.digest(of: model, within: scratch.path("out"))))
        #expect(try contents(digest, in: store) == "weights")
        let inode = try fileManager.attributesOfItem(atPath: blobPath(digest, in: store))[.systemFileNumber] as? Int

        #expect(try store.put(file: model) == digest)
        #expect(try store.put(artifact: model, within: scratch.path("out")) == digest)
        #expect(try fileManager.attributesOfItem(atPath: blobPath(digest, in: store))[.systemFileNumber] as? Int == inode)
        #expect(try fileManager.contentsOfDirectory(atPath: store.blobs.path) == [digest.hex])
        let temporary = store.blobs.deletingLastPathComponent().appending(path: "tmp").path
        #expect(try fileManager.contentsOfDirectory(atPath: temporary).isEmpty)
    }

    @Test("A directory is stored as its manifest plus one blob per file and symlink text, like a git tree")
    func putDirectory() throws {
        let (scratch, store) = try setUp()
        _ = try scratch.write("{\"layers\": 2}", to: "out/model/config.json")
        _ = try scratch.write("weights", to: "out/model/shards/0.bin")
        try fileManager.createSymbolicLink(atPath: scratch.path("out/model/latest").path, withDestinationPath: "shards/0.bin")
        let directory = scratch.path("out/model")

        let digest = try store.put(artifact: directory, within: scratch.path("out"))
        #expect(digest == (try ArtifactDigest.digest(of: directory, within: scratch.path("out"))))
        let manifest = try contents(digest, in: store)
        let lines = manifest.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 2).map(String.init) }
        #expect(lines.map { $0[2] } == ["config.json", "latest", "shards/0.bin"])
        #expect(lines.map { $0[0] } == ["644", "120000", "644"])
        let stored = try lines.map { try contents(try #require(Digest(hex: $0[1])), in: store) }
        #expect(stored == ["{\"layers\": 2}", "shards/0.bin", "weights"])
        #expect(try fileManager.contentsOfDirectory(atPath: store.blobs.path).count == 4)
    }

    @Test("A blob whose bytes no longer match its name is refused on read, even after it was verified once")
    func corruptBlobRefused() throws {
        let (scratch, store) = try setUp()
        let digest = try store.put(file: try scratch.write("weights", to: "out/model.bin"))
        #expect(try contents(digest, in: store) == "weights")

        try corrupt(digest, in: store, with: "wrights")
        #expect { try store.open(digest) } throws: { ($0 as? ArtifactError)?.code == .corrupt }
        let fresh = ArtifactStore(directory: scratch.path("state/artifacts"))
        #expect { try fresh.open(digest) } throws: { ($0 as? ArtifactError)?.code == .corrupt }
    }

    @Test("Reading a blob that is not stored says so; a malformed name is no digest at all")
    func missingAndMalformed() throws {
        let (_, store) = try setUp()
        #expect { try store.open(Digest.repeating("0")) } throws: {
            ($0 as? ArtifactError)?.code == .missing
        }
        for text in ["sha256:ABC", "sha256:" + String(repeating: "A", count: 64), "md5:" + String(repeating: "0", count: 64),
                     "sha256:" + String(repeating: "0", count: 63), "sha256:../" + String(repeating: "0", count: 61)] {
            #expect(Digest(text) == nil, "\(text)")
        }
        #expect(Digest("sha256:" + String(repeating: "0", count: 64))?.hex == String(repeating: "0", count: 64))
    }

    @Test("Garbage collection removes unreferenced blobs and keeps referenced ones, a directory's files included")
    func garbageCollection() throws {
        let (scratch, store) = try setUp()
        _ = try scratch.write("a", to: "out/tree/a.txt")
        _ = try scratch.write("b", to: "out/tree/b.txt")
        let tree = try store.put(artifact: scratch.path("out/tree"), within: scratch.path("out"))
        let kept = try store.put(file: try scratch.write("kept", to: "out/kept.bin"))
        let dropped = try store.put(file: try scratch.write("dropped!", to: "out/dropped.bin"))
        let temporary = store.blobs.deletingLastPathComponent().appending(path: "tmp/blob-stale")
        try Data("partial".utf8).write(to: temporary)

        let young = try store.collectGarbage(keeping: [tree, kept], now: Date())
        #expect(young.removed == 0)
        let dry = try store.collectGarbage(keeping: [tree, kept], dryRun: true, now: later)
        #expect(dry.removed == 2)
        #expect(dry.bytes == 8 + 7)
        #expect(fileManager.fileExists(atPath: blobPath(dropped, in: store)))

        let result = try store.collectGarbage(keeping: [tree, kept], now: later)
        #expect(result.removed == 2)
        #expect(result.bytes == 8 + 7)
        #expect(!fileManager.fileExists(atPath: blobPath(dropped, in: store)))
        #expect(!fileManager.fileExists(atPath: temporary.path))
        #expect(try contents(kept, in: store) == "kept")
        #expect(try contents(tree, in: store).contains("a.txt"))
        #expect(try fileManager.contentsOfDirectory(atPath: store.blobs.path).count == 4)

        let everything = try store.collectGarbage(keeping: [], now: later)
        #expect(everything.removed == 4)
        #expect(try fileManager.contentsOfDirectory(atPath: store.blobs.path).isEmpty)
    }
}
