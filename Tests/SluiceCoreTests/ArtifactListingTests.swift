import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Artifact listings: a folder artifact's manifest read back for a download")
struct ArtifactListingTests {
    private static let hex = String(repeating: "ab", count: 32)

    private func listing(_ lines: [String]) throws -> ArtifactListing? {
        try ArtifactListing(manifest: Data(lines.map { $0 + "\n" }.joined().utf8))
    }

    @Test("A stored folder's manifest lists its files with their modes and its symlinks, sorted by path")
    func storedFolder() async throws {
        let scratch = try ScratchDirectory("artifact-listing")
        try scratch.write("weights", to: "out/model/weights.bin")
        let script = try scratch.write("#!/bin/sh\n", to: "out/model/bin/predict")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path("out/model/latest").path, withDestinationPath: "weights.bin")
        let store = ArtifactStore(directory: scratch.path("state/artifacts"))
        let digest = try await store.put(artifact: scratch.path("out/model"), within: scratch.path("out"))
        let text = try Data(contentsOf: try await store.open(digest).url)
        let entries = try #require(try ArtifactListing(manifest: text)).entries
        #expect(entries.map(\.path) == ["bin/predict", "latest", "weights.bin"])
        #expect(entries.map(\.kind) == [.file(executable: true), .symlink, .file(executable: false)])
        let weights = try await store.open(entries[2].digest)
        #expect(String(decoding: try Data(contentsOf: weights.url), as: UTF8.self) == "weights")
    }

    @Test("A blob that is not in the manifest's form is a file artifact, not a listing")
    func fileArtifact() throws {
        #expect(try ArtifactListing(manifest: Data("just some model bytes\n".utf8)) == nil)
        #expect(try ArtifactListing(manifest: Data()) == nil)
        #expect(try listing(["644 \(Self.hex) a", "not a line"]) == nil)
        #expect(try ArtifactListing(manifest: Data("644 \(Self.hex) a".utf8)) == nil, "no final line break")
    }

    @Test(
        "A forged manifest that would write outside its folder, or through a symlink, is refused whole",
        arguments: [
            ["644 \(hex) ../escape"], ["644 \(hex) /etc/cron.d/x"], ["644 \(hex) a/../../b"], ["644 \(hex) a//b"],
            ["644 \(hex) ./a"], ["120000 \(hex) link", "644 \(hex) link/inside"], ["644 \(hex) a", "755 \(hex) a"],
        ])
    func unsafePaths(lines: [String]) throws {
        #expect(throws: ArtifactError.self) { try listing(lines) }
    }
}
