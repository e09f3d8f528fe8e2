import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Artifact store: content-addressed blobs under state_dir/artifacts/sha256, or in a bucket")
struct ArtifactStoreTests {
    private let fileManager = FileManager.default

    /// A scratch directory with an output directory `out/` and a state directory `state/`, and a
    /// store of `kind` there.
    private func setUp(_ kind: ArtifactKind = .directory) throws -> (ScratchDirectory, ArtifactStore) {
        let scratch = try ScratchDirectory("artifact-store")
        try fileManager.createDirectory(at: scratch.path("out"), withIntermediateDirectories: true)
        return (scratch, ArtifactStore(directory: scratch.path("state/artifacts"), bucket: try kind.makeBucket()))
    }

    private func blobPath(_ digest: Digest, in store: ArtifactStore) -> String {
        store.blobs.appending(path: digest.hex).path
    }

    private func contents(_ digest: Digest, in store: ArtifactStore) async throws -> String {
        String(decoding: try Data(contentsOf: try await store.open(digest).url), as: UTF8.self)
    }

    /// Overwrites a stored blob's bytes, as a disk fault or a careless operator would.
    private func corrupt(_ digest: Digest, in store: ArtifactStore, with text: String) throws {
        let path = blobPath(digest, in: store)
        try fileManager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A time well past the grace period, so garbage collection considers every file.
    private var later: Date { Date().addingTimeInterval(2 * ArtifactStore.gracePeriod) }

    @Test("A stored file is named by the digest ArtifactDigest gives it, and storing it again changes nothing",
          arguments: ArtifactKind.allCases)
    func putFile(kind: ArtifactKind) async throws {
        let (scratch, store) = try setUp(kind)
        let model = try scratch.write("weights", to: "out/model.bin")
        let digest = try await store.put(artifact: model, within: scratch.path("out"))
        #expect(digest == (try ArtifactDigest.digest(of: model, within: scratch.path("out"))))
        #expect(try await contents(digest, in: store) == "weights")
        let inode = try fileManager.attributesOfItem(atPath: blobPath(digest, in: store))[.systemFileNumber] as? Int

        #expect(try await store.put(artifact: model, within: scratch.path("out")) == digest)
        #expect(try fileManager.attributesOfItem(atPath: blobPath(digest, in: store))[.systemFileNumber] as? Int == inode)
        #expect(try fileManager.contentsOfDirectory(atPath: store.blobs.path) == [digest.hex])
        let temporary = store.blobs.deletingLastPathComponent().appending(path: "tmp").path
        #expect(try fileManager.contentsOfDirectory(atPath: temporary).isEmpty)
    }

    @Test("A directory is stored as its manifest plus one blob per file and symlink text, like a git tree",
          arguments: ArtifactKind.allCases)
    func putDirectory(kind: ArtifactKind) async throws {
        let (scratch, store) = try setUp(kind)
        _ = try scratch.write("{\"layers\": 2}", to: "out/model/config.json")
        _ = try scratch.write("weights", to: "out/model/shards/0.bin")
        try fileManager.createSymbolicLink(atPath: scratch.path("out/model/latest").path, withDestinationPath: "shards/0.bin")
        let directory = scratch.path("out/model")

        let digest = try await store.put(artifact: directory, within: scratch.path("out"))
        #expect(digest == (try ArtifactDigest.digest(of: directory, within: scratch.path("out"))))
        let manifest = try await contents(digest, in: store)
        let lines = manifest.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 2).map(String.init) }
        #expect(lines.map { $0[2] } == ["config.json", "latest", "shards/0.bin"])
        #expect(lines.map { $0[0] } == ["644", "120000", "644"])
        var stored: [String] = []
        for line in lines {
            stored.append(try await contents(try #require(Digest(hex: line[1])), in: store))
        }
        #expect(stored == ["{\"layers\": 2}", "shards/0.bin", "weights"])
        #expect(try fileManager.contentsOfDirectory(atPath: store.blobs.path).count == 4)
    }

    @Test("A blob whose bytes no longer match its name is refused on read, even after it was verified once (a bucket's cache heals)",
          arguments: ArtifactKind.allCases)
    func corruptBlobRefused(kind: ArtifactKind) async throws {
        let (scratch, store) = try setUp(kind)
        let digest = try await store.put(artifact: try scratch.write("weights", to: "out/model.bin"), within: scratch.path("out"))
        #expect(try await contents(digest, in: store) == "weights")

        try corrupt(digest, in: store, with: "wrights")
        let fresh = ArtifactStore(directory: scratch.path("state/artifacts"))
        await #expect { try await fresh.open(digest) } throws: { ($0 as? ArtifactError)?.code == .corrupt }
        switch kind {
        case .directory:
            await #expect { try await store.open(digest) } throws: { ($0 as? ArtifactError)?.code == .corrupt }
        case .bucket:
            // The bucket still holds the right bytes: the damaged cached copy is replaced by them.
            #expect(try await contents(digest, in: store) == "weights")
            #expect(try String(contentsOfFile: blobPath(digest, in: store), encoding: .utf8) == "weights")
        }
    }

    @Test("Reading a blob that is not stored says so; a malformed name is no digest at all",
          arguments: ArtifactKind.allCases)
    func missingAndMalformed(kind: ArtifactKind) async throws {
        let (_, store) = try setUp(kind)
        await #expect { try await store.open(Digest.repeating("0")) } throws: {
            ($0 as? ArtifactError)?.code == .missing
        }
        for text in ["sha256:ABC", "sha256:" + String(repeating: "A", count: 64), "md5:" + String(repeating: "0", count: 64),
                     "sha256:" + String(repeating: "0", count: 63), "sha256:../" + String(repeating: "0", count: 61)] {
            #expect(Digest(text) == nil, "\(text)")
        }
        #expect(Digest("sha256:" + String(repeating: "0", count: 64))?.hex == String(repeating: "0", count: 64))
    }

    @Test("Garbage collection removes unreferenced blobs and keeps referenced ones, a directory's files included")
    func garbageCollection() async throws {
        let (scratch, store) = try setUp()
        _ = try scratch.write("a", to: "out/tree/a.txt")
        _ = try scratch.write("b", to: "out/tree/b.txt")
        let tree = try await store.put(artifact: scratch.path("out/tree"), within: scratch.path("out"))
        let kept = try await store.put(artifact: try scratch.write("kept", to: "out/kept.bin"), within: scratch.path("out"))
        let dropped = try await store.put(artifact: try scratch.write("dropped!", to: "out/dropped.bin"), within: scratch.path("out"))
        let temporary = store.blobs.deletingLastPathComponent().appending(path: "tmp/blob-stale")
        try Data("partial".utf8).write(to: temporary)

        let young = try await store.collectGarbage(keeping: [tree, kept], now: Date())
        #expect(young.removed == 0)
        let dry = try await store.collectGarbage(keeping: [tree, kept], dryRun: true, now: later)
        #expect(dry.removed == 2)
        #expect(dry.bytes == 8 + 7)
        #expect(fileManager.fileExists(atPath: blobPath(dropped, in: store)))

        let result = try await store.collectGarbage(keeping: [tree, kept], now: later)
        #expect(result.removed == 2)
        #expect(result.bytes == 8 + 7)
        #expect(!fileManager.fileExists(atPath: blobPath(dropped, in: store)))
        #expect(!fileManager.fileExists(atPath: temporary.path))
        #expect(try await contents(kept, in: store) == "kept")
        #expect(try await contents(tree, in: store).contains("a.txt"))
        #expect(try fileManager.contentsOfDirectory(atPath: store.blobs.path).count == 4)

        let everything = try await store.collectGarbage(keeping: [], now: later)
        #expect(everything.removed == 4)
        #expect(try fileManager.contentsOfDirectory(atPath: store.blobs.path).isEmpty)
    }
}

@Suite("Artifact store on a bucket: what one replica stores, another serves, verified")
struct ArtifactBucketTests {
    private let fileManager = FileManager.default

    /// A replica's store: the bucket, cached in a folder of its own.
    private func replica(_ bucket: S3Location, in scratch: ScratchDirectory, _ name: String) -> ArtifactStore {
        ArtifactStore(directory: scratch.path("\(name)/artifacts"), bucket: bucket)
    }

    @Test("A put is in the bucket before it returns, a directory's files with its manifest, under prefix/sha256/")
    func putUploads() async throws {
        let scratch = try ScratchDirectory("artifact-bucket")
        let bucket = try S3Server.shared().makeBucket(prefix: "models/")
        _ = try scratch.write("{\"layers\": 2}", to: "out/model/config.json")
        _ = try scratch.write("weights", to: "out/model/weights.bin")
        let digest = try await replica(bucket, in: scratch, "a").put(artifact: scratch.path("out/model"), within: scratch.path("out"))

        let keys = try S3Server.shared().keys(in: bucket.bucket)
        #expect(keys.count == 3)
        #expect(keys.allSatisfy { $0.hasPrefix("models/sha256/") })
        #expect(keys.contains("models/sha256/\(digest.hex)"))
    }

    @Test("A replica with an empty cache serves what another stored: fetched once, verified, then served from its cache")
    func otherReplicaReads() async throws {
        let scratch = try ScratchDirectory("artifact-bucket")
        let bucket = try S3Server.shared().makeBucket()
        _ = try scratch.write("weights", to: "out/model/weights.bin")
        _ = try scratch.write("#!/bin/sh\n", to: "out/model/predict")
        let digest = try await replica(bucket, in: scratch, "a").put(artifact: scratch.path("out/model"), within: scratch.path("out"))

        let other = replica(bucket, in: scratch, "b")
        let manifest = try await other.open(digest)
        #expect(manifest.url.path.hasPrefix(scratch.path("b/artifacts/sha256").path))
        let listing = try #require(try ArtifactListing(manifest: try Data(contentsOf: manifest.url)))
        let weights = try await other.open(try #require(listing.entries.first { $0.path == "weights.bin" }).digest)
        #expect(try String(contentsOf: weights.url, encoding: .utf8) == "weights")
        #expect(try fileManager.contentsOfDirectory(atPath: scratch.path("b/artifacts/tmp").path).isEmpty)
    }

    @Test("An object changed in the bucket is refused on read and never enters the cache")
    func changedObjectRefused() async throws {
        let scratch = try ScratchDirectory("artifact-bucket")
        let bucket = try S3Server.shared().makeBucket(prefix: "models/")
        let digest = try await replica(bucket, in: scratch, "a").put(
            artifact: try scratch.write("weights", to: "out/model.bin"), within: scratch.path("out"))
        try S3Server.shared().put(Data("wrights".utf8), key: "models/sha256/\(digest.hex)", in: bucket.bucket)

        let other = replica(bucket, in: scratch, "b")
        let error = await #expect(throws: ArtifactError.self) { try await other.open(digest) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("models/sha256/\(digest.hex) does not hash to its name") == true)
        #expect(!fileManager.fileExists(atPath: scratch.path("b/artifacts/sha256/\(digest.hex)").path))
        #expect(try fileManager.contentsOfDirectory(atPath: scratch.path("b/artifacts/tmp").path).isEmpty)
    }

    @Test("A wrong secret key is refused by the server's signature check, with S3's reason and never the key")
    func wrongKeyRefused() async throws {
        let scratch = try ScratchDirectory("artifact-bucket")
        let good = try S3Server.shared().makeBucket()
        let wrongKey = "wrong-secret-" + UUID().uuidString
        let bad = S3Location(
            endpoint: good.endpoint, bucket: good.bucket, region: good.region, accessKeyID: good.accessKeyID,
            secretAccessKey: Secret(wrongKey))
        let store = replica(bad, in: scratch, "a")
        let error = await #expect(throws: ArtifactError.self) {
            try await store.put(artifact: try scratch.write("weights", to: "out/model.bin"), within: scratch.path("out"))
        }
        #expect(error?.code == .bucket)
        #expect(error?.message.contains("answered 403 to look for sha256:") == true)
        #expect(error?.message.contains("check artifacts.s3's keys") == true)
        #expect(error?.message.contains(wrongKey) == false)
        #expect(try S3Server.shared().keys(in: good.bucket).isEmpty)

        let listing = await #expect(throws: ArtifactError.self) {
            try await store.collectGarbage(keeping: [], now: Date())
        }
        #expect(listing?.message.contains("answered 403 (SignatureDoesNotMatch: The request signature we calculated") == true)
        let fetch = await #expect(throws: ArtifactError.self) { try await store.open(Digest.repeating("0")) }
        #expect(fetch?.code == .bucket)
        #expect(fetch?.message.contains("answered 403 to fetch sha256:") == true)
    }

    @Test("Garbage collection removes unreferenced objects from the bucket and keeps a directory's files, even uncached")
    func garbageCollection() async throws {
        let scratch = try ScratchDirectory("artifact-bucket")
        let bucket = try S3Server.shared().makeBucket(prefix: "models/")
        _ = try scratch.write("a", to: "out/tree/a.txt")
        _ = try scratch.write("b", to: "out/tree/b.txt")
        let writer = replica(bucket, in: scratch, "a")
        let tree = try await writer.put(artifact: scratch.path("out/tree"), within: scratch.path("out"))
        let dropped = try await writer.put(artifact: try scratch.write("dropped!", to: "out/dropped.bin"), within: scratch.path("out"))
        #expect(try S3Server.shared().keys(in: bucket.bucket).count == 4)

        let collector = replica(bucket, in: scratch, "b")
        let later = Date().addingTimeInterval(2 * ArtifactStore.gracePeriod)
        let young = try await collector.collectGarbage(keeping: [tree], now: Date())
        #expect(young.removed == 0)
        let result = try await collector.collectGarbage(keeping: [tree], now: later)
        #expect(result.removed == 1)
        #expect(result.bytes == 8)
        let keys = try S3Server.shared().keys(in: bucket.bucket)
        #expect(keys.count == 3)
        #expect(!keys.contains("models/sha256/\(dropped.hex)"))
        let reader = replica(bucket, in: scratch, "c")
        let listing = try #require(try ArtifactListing(manifest: try Data(contentsOf: try await reader.open(tree).url)))
        for entry in listing.entries {
            _ = try await reader.open(entry.digest)
        }
    }
}
