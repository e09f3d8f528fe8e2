import ArgumentParser
import Foundation
import SluiceCore
import SluiceTesting

/// `sluice-bench gate`: the gate's own cost on the starter project, in one run.
///
/// Figures: `sluice run` (the release binary beside this one, fresh state each time, so every
/// run trains) against the three step commands run directly; a cache-hit `sluice run` of the same
/// commit against the full run; and the artifact digest of a 1 GiB file against `sha256sum`.
/// The direct commands get the same PATH as steps do, so both run the same `python3`.
struct GateBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "sluice run overhead, cache-hit decision time and artifact hashing, against references.")

    @OptionGroup var options: BenchmarkOptions

    func run() async throws {
        let sluice = try StarterProject.sluiceBinary()
        let template = try StarterProject.folder(options.templatesFolder("project").path)
        let scratch = try ScratchDirectory("sluice-bench-gate")
        let repository = scratch.path("repo")
        try GitCLI.run(["init", "-q", "-b", "main", repository.path])
        try GitCLI.shell("cp -R '\(template.path)'/. '\(repository.path)'/")
        try GitCLI.run(["add", "-A"], in: repository)
        try GitCLI.run(["commit", "-q", "-m", "Starter project"], in: repository)
        let run = { (state: URL) in
            try GitCLI.shell("'\(sluice.path)' run '\(repository.path)' --state-dir '\(state.path)' > /dev/null 2>&1")
        }

        progress("sluice run against the steps run directly, \(options.runs) runs each")
        let gateRun = try await compare(
            "gate_run", runs: options.runs, progress: progress,
            prepare: { index in
                try GitCLI.shell("cp -R '\(template.path)' '\(scratch.path("direct-\(index)").path)'")
            },
            ours: { index in _ = try run(scratch.path("state-\(index)")) },
            reference: { index in
                try StarterProject.runStepsDirectly(in: scratch.path("direct-\(index)"))
            })
        // Overhead at most 5 % plus 300 ms, as a ratio of this run's reference.
        report(gateRun, referenceName: "steps run directly", target: 1.05 + 0.3 / gateRun.reference)

        progress("cache-hit sluice run against a full one, \(options.runs) runs each")
        let cached = scratch.path("state-0")
        let cacheHit = try await compare(
            "cache_hit", runs: options.runs, progress: progress,
            prepare: { index in try? FileManager.default.removeItem(at: scratch.path("full-\(index)")) },
            ours: { _ in _ = try run(cached) },
            reference: { index in _ = try run(scratch.path("full-\(index)")) })
        report(cacheHit, referenceName: "full sluice run", target: nil)

        let big = try ScratchDirectory("sluice-bench-digest", in: GitBenchmark.memoryBackedDirectory)
        let file = big.path("artifact.bin")
        progress("writing a 1 GiB artifact to \(file.path)")
        try writeArtifact(file, bytes: 1 << 30)
        let digest = try await compare(
            "digest_1g", runs: options.runs, progress: progress,
            ours: { _ in _ = try ArtifactDigest.digest(of: file, within: big.url) },
            reference: { _ in _ = try GitCLI.shell("sha256sum '\(file.path)'") })
        // At least 0.9 × sha256sum's throughput is at most 1/0.9 of its time.
        report(digest, referenceName: "sha256sum", target: 1 / 0.9)

        if !options.json {
            let overhead = (gateRun.ours - gateRun.reference) / gateRun.reference * 100
            print(
                String(format: "sluice run overhead: %.0f ms (%.1f %%; target <= 5 %% + 300 ms); ", (gateRun.ours - gateRun.reference) * 1000, overhead)
                    + String(format: "cache-hit decision: %.0f ms (target <= 200 ms); ", cacheHit.ours * 1000)
                    + String(format: "digest: %.0f MB/s against %.0f MB/s", 1024 / digest.ours, 1024 / digest.reference))
        }
    }

    /// A file of `bytes` pseudo-random bytes (a 4 MiB block, repeated), so nothing compresses it.
    private func writeArtifact(_ file: URL, bytes: Int) throws {
        var generator = SeededGenerator(seed: 7)
        let block = Data((0..<(4 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw ValidationError("could not create \(file.path)")
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        for _ in 0..<(bytes / block.count) { try handle.write(contentsOf: block) }
    }

    private func report(_ figure: Figure, referenceName: String, target: Double?) {
        print(options.json ? figure.jsonLine : figure.tableLine(referenceName: referenceName, target: target))
    }

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("sluice-bench gate: \(message)\n".utf8))
    }
}
