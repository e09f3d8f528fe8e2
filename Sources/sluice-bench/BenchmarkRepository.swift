import Foundation
import SluiceTesting

/// A deterministic model repository big enough to measure git transport and export.
///
/// Random, incompressible file contents from a fixed seed, pinned author dates: every run and every
/// machine builds byte-identical objects with identical ids. Written with `git fast-import`, which
/// is far faster than committing file by file.
struct BenchmarkRepository {
    var directories = 160
    var filesPerDirectory = 100
    var fileSize = 3_300
    var laterCommits = 20
    var filesChangedPerCommit = 150

    /// Objects the repository holds: blobs, trees and commits.
    var approximateObjectCount: Int {
        directories * filesPerDirectory + laterCommits * filesChangedPerCommit
            + (directories + 1) * (laterCommits + 1) + laterCommits + 1
    }

    var approximateBytes: Int {
        (directories * filesPerDirectory + laterCommits * filesChangedPerCommit) * fileSize
    }

    /// Creates the bare repository at `path` with branch `main`.
    func generate(at path: URL) throws {
        try GitCLI.run(["init", "--quiet", "--bare", "--initial-branch=main", path.path])
        try GitCLI.run(["fast-import", "--quiet"], in: path, input: fastImportStream())
    }

    private func fastImportStream() -> Data {
        var generator = SeededGenerator(seed: 2026)
        var stream = Data()
        stream.reserveCapacity(approximateBytes + approximateBytes / 10)
        for commit in 0...laterCommits {
            let paths: [String]
            if commit == 0 {
                paths = (0..<directories).flatMap { directory in
                    (0..<filesPerDirectory).map { Self.path(directory: directory, file: $0) }
                }
            } else {
                paths = (0..<filesChangedPerCommit).map { _ in
                    Self.path(
                        directory: Int(generator.next() % UInt64(directories)),
                        file: Int(generator.next() % UInt64(filesPerDirectory)))
                }
            }
            let message = commit == 0 ? "Initial model" : "Retrain \(commit)"
            let date = 1_767_225_600 + commit * 3_600
            stream.append(
                Data(
                    """
                    commit refs/heads/main
                    author Bench <bench@example.com> \(date) +0000
                    committer Bench <bench@example.com> \(date) +0000
                    data \(message.utf8.count)
                    \(message)

                    """.utf8))
            for path in paths {
                stream.append(Data("M 100644 inline \(path)\ndata \(fileSize)\n".utf8))
                stream.append(Self.randomBytes(count: fileSize, using: &generator))
                stream.append(0x0A)
            }
            stream.append(0x0A)
        }
        return stream
    }

    private static func path(directory: Int, file: Int) -> String {
        "data/shard-\(directory)/part-\(file).bin"
    }

    private static func randomBytes(count: Int, using generator: inout SeededGenerator) -> Data {
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return Data(bytes)
    }
}
