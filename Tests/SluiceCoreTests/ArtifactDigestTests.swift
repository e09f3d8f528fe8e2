import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Artifact digest: content addresses of files and directories inside the output directory")
struct ArtifactDigestTests {
    private let fileManager = FileManager.default

    /// `sha256sum`'s hex digest of the file at `path`, or of `input` on standard input.
    private func sha256sum(_ path: String? = nil, input: Data? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum"] + (path.map { [$0] } ?? [])
        let output = Pipe()
        let standardInput = Pipe()
        process.standardOutput = output
        process.standardInput = standardInput
        try process.run()
        if let input {
            standardInput.fileHandleForWriting.write(input)
        }
        try standardInput.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(text.prefix(64))
    }

    private func digest(_ relative: String, in scratch: ScratchDirectory) throws(ArtifactError) -> Digest {
        try ArtifactDigest.digest(of: scratch.path(relative), within: scratch.url)
    }

    /// The error digesting `relative` gives.
    private func refusal(_ relative: String, in scratch: ScratchDirectory) -> ArtifactError? {
        #expect(throws: ArtifactError.self) { try digest(relative, in: scratch) }
    }

    private func setMode(_ mode: Int, _ url: URL) throws {
        try fileManager.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    @Test("A file's digest is sha256sum's")
    func fileMatchesSha256sum() throws {
        let scratch = try ScratchDirectory()
        // More than two of the digest's 4 MiB reads, ending mid-read.
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let file = scratch.path("model.bin")
        try random.read(upToCount: (9 << 20) + 12_345)?.write(to: file)
        #expect(try digest("model.bin", in: scratch).description == "sha256:" + sha256sum(file.path))
        try Data().write(to: scratch.path("empty"))
        #expect(
            try digest("empty", in: scratch).description
                == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("A directory's digest is the sha256 of its sorted manifest")
    func manifestFormat() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("weights", to: "model/w.bin")
        try scratch.write("#!/bin/sh\n", to: "model/bin/serve")
        try scratch.write("{}", to: "model/a.txt")
        try setMode(0o755, scratch.path("model/bin/serve"))
        try fileManager.createSymbolicLink(atPath: scratch.path("model/latest").path, withDestinationPath: "w.bin")
        try fileManager.createDirectory(at: scratch.path("model/empty"), withIntermediateDirectories: false)
        let hash = { (text: String) in try sha256sum(input: Data(text.utf8)) }
        // Byte order puts "a.txt" before "bin/serve" and "latest" before "w.bin".
        let manifest = """
            644 \(try hash("{}")) a.txt
            755 \(try hash("#!/bin/sh\n")) bin/serve
            120000 \(try hash("w.bin")) latest
            644 \(try hash("weights")) w.bin

            """
        #expect(try digest("model", in: scratch).description == "sha256:" + hash(manifest))
    }

    @Test("An empty directory has the digest of the empty manifest")
    func emptyDirectory() throws {
        let scratch = try ScratchDirectory()
        try fileManager.createDirectory(at: scratch.path("model/sub"), withIntermediateDirectories: true)
        #expect(
            try digest("model", in: scratch).description
                == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("Two copies written in different orders have the same digest")
    func orderIndependent() throws {
        let scratch = try ScratchDirectory()
        let files = [("a/x.bin", "1"), ("a/y.bin", "2"), ("b.json", "3"), ("a.b", "4"), ("c/d/e", "5")]
        for (path, text) in files {
            try scratch.write(text, to: "first/\(path)")
        }
        for (path, text) in files.reversed() {
            try scratch.write(text, to: "second/\(path)")
        }
        #expect(try digest("first", in: scratch) == digest("second", in: scratch))
    }

    @Test("Changing a byte, a mode, a name or a link target changes the digest")
    func sensitiveToContent() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("weights", to: "model/w.bin")
        try scratch.write("config", to: "model/c.json")
        try fileManager.createSymbolicLink(atPath: scratch.path("model/link").path, withDestinationPath: "w.bin")
        var seen = [try digest("model", in: scratch)]
        func expectNew() throws {
            let next = try digest("model", in: scratch)
            #expect(!seen.contains(next))
            seen.append(next)
        }
        try scratch.write("weightz", to: "model/w.bin")
        try expectNew()
        try setMode(0o755, scratch.path("model/w.bin"))
        try expectNew()
        try fileManager.moveItem(at: scratch.path("model/c.json"), to: scratch.path("model/d.json"))
        try expectNew()
        try fileManager.removeItem(at: scratch.path("model/link"))
        try fileManager.createSymbolicLink(atPath: scratch.path("model/link").path, withDestinationPath: "d.json")
        try expectNew()
        try setMode(0o600, scratch.path("model/d.json"))
        #expect(try digest("model", in: scratch) == seen.last)
    }

    @Test("Symlinks that stay inside the output directory are recorded, not followed")
    func symlinkInside() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("shared", to: "shared/vocab.txt")
        try scratch.write("weights", to: "model/w.bin")
        try fileManager.createSymbolicLink(
            atPath: scratch.path("model/vocab").path, withDestinationPath: "../shared/vocab.txt")
        try fileManager.createSymbolicLink(atPath: scratch.path("model/shared").path, withDestinationPath: "../shared")
        let before = try digest("model", in: scratch)
        try scratch.write("changed", to: "shared/vocab.txt")
        #expect(try digest("model", in: scratch) == before)
    }

    @Test("An artifact that is itself a symlink inside the output directory is digested as its target")
    func artifactSymlinkInside() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("weights", to: "v1/model.bin")
        try fileManager.createSymbolicLink(atPath: scratch.path("model.bin").path, withDestinationPath: "v1/model.bin")
        #expect(try digest("model.bin", in: scratch) == digest("v1/model.bin", in: scratch))
    }

    @Test("A symlink in the artifact that leaves the output directory is refused")
    func symlinkEscaping() throws {
        let outside = try ScratchDirectory("sluice-gate-outside")
        try outside.write("secret", to: "secret.txt")
        let scratch = try ScratchDirectory()
        try scratch.write("weights", to: "model/w.bin")
        try fileManager.createSymbolicLink(
            atPath: scratch.path("model/data").path, withDestinationPath: outside.path("secret.txt").path)
        let error = refusal("model", in: scratch)
        #expect(error?.code == .outsideRoot)
        #expect(error?.detail == scratch.path("model/data").path)
        #expect(
            error?.message
                == "\(scratch.path("model/data").path) is a symlink to '\(outside.path("secret.txt").path)', "
                + "outside the output directory; copy the file into the artifact instead")

        try fileManager.removeItem(at: scratch.path("model/data"))
        try fileManager.createSymbolicLink(atPath: scratch.path("model/up").path, withDestinationPath: "../..")
        #expect(refusal("model", in: scratch)?.code == .outsideRoot)
    }

    @Test("A symlink whose target is missing is refused")
    func brokenSymlink() throws {
        let scratch = try ScratchDirectory()
        try fileManager.createDirectory(at: scratch.path("model"), withIntermediateDirectories: false)
        try fileManager.createSymbolicLink(atPath: scratch.path("model/gone").path, withDestinationPath: "nothing")
        let error = refusal("model", in: scratch)
        #expect(error?.code == .brokenSymlink)
        #expect(
            error?.message
                == "\(scratch.path("model/gone").path) is a symlink to 'nothing', which does not exist or loops")
    }

    @Test("An artifact outside the output directory is refused, directly or through a symlink")
    func artifactOutside() throws {
        let outside = try ScratchDirectory("sluice-gate-outside")
        let file = try outside.write("weights", to: "model.bin")
        let scratch = try ScratchDirectory()
        let direct = #expect(throws: ArtifactError.self) { try ArtifactDigest.digest(of: file, within: scratch.url) }
        #expect(direct?.code == .outsideRoot)
        #expect(
            direct?.message
                == "the artifact \(file.path) resolves to \(realPath(file)), outside the output directory \(scratch.url.path)"
        )
        #expect(refusal("../\(outside.url.lastPathComponent)/model.bin", in: scratch)?.code == .outsideRoot)
        try fileManager.createSymbolicLink(atPath: scratch.path("model.bin").path, withDestinationPath: file.path)
        #expect(refusal("model.bin", in: scratch)?.code == .outsideRoot)
    }

    @Test("A missing artifact says where it was expected")
    func missingArtifact() throws {
        let scratch = try ScratchDirectory()
        let error = refusal("model.bin", in: scratch)
        #expect(error?.code == .missing)
        #expect(
            error?.message
                == "there is no artifact at \(scratch.path("model.bin").path); the train step must write it there")
    }

    @Test("A FIFO in the artifact, or as the artifact, is refused without blocking")
    func specialFiles() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("weights", to: "model/w.bin")
        #expect(mkfifo(scratch.path("model/pipe").path, 0o644) == 0)
        let error = refusal("model", in: scratch)
        #expect(error?.code == .specialFile)
        #expect(error?.detail == scratch.path("model/pipe").path)
        #expect(refusal("model/pipe", in: scratch)?.code == .specialFile)
    }

    @Test("A name with a line break is refused, since the manifest could not hold it")
    func lineBreakInName() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("x", to: "model/a\nb")
        #expect(refusal("model", in: scratch)?.code == .unsupportedName)
    }

    /// The canonical path, as the error messages show it (the temporary directory may be a symlink).
    private func realPath(_ url: URL) -> String {
        guard let resolved = realpath(url.path, nil) else {
            return url.path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
