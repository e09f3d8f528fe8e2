import ArgumentParser
import Foundation
import Git
import SluiceTesting

/// `sluice-bench git`: libgit2 through the `Git` module against the git CLI, on one repository
/// served over smart HTTP, in one run.
///
/// Figures: a cold mirror clone, a one-commit incremental fetch, and an export of HEAD's tree
/// (against `git archive HEAD | tar -x`). Ours and the reference alternate within each repetition,
/// so drift in the machine's load hits both alike.
struct GitBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git",
        abstract: "Clone, incremental fetch and export: libgit2 (ours) against the git CLI (reference).")

    @OptionGroup var options: BenchmarkOptions

    func run() async throws {
        let scratch = try ScratchDirectory("sluice-bench-git")
        let served = scratch.path("served")
        let bare = served.appendingPathComponent("model.git")
        let repository = BenchmarkRepository()
        progress(
            "generating a repository of about \(repository.approximateObjectCount) objects and "
                + "\(repository.approximateBytes / 1_000_000) MB")
        try repository.generate(at: bare)
        let server = try GitHTTPServer(root: served)
        let url = server.url("model.git")
        progress("serving it at \(url); libgit2 \(Libgit2.version), \(try GitCLI.run(["--version"]))")

        progress("cold mirror clone over HTTP, \(options.runs) runs each")
        let clone = try await compare(
            "clone_http", runs: options.runs, progress: progress,
            prepare: { run in try remove(scratch.path("ours-\(run)"), scratch.path("cli-\(run)")) },
            ours: { run in try Mirror(path: scratch.path("ours-\(run)"), remoteURL: url).fetch() },
            reference: { run in try GitCLI.run(["clone", "--quiet", "--mirror", url, scratch.path("cli-\(run)").path]) })
        report(clone, referenceName: "git clone --mirror", target: 1.1)

        let ours = Mirror(path: scratch.path("ours-0"), remoteURL: url)
        let cli = scratch.path("cli-0")
        let work = scratch.path("work")
        try GitCLI.run(["clone", "--quiet", bare.path, work.path])
        progress("one-commit incremental fetch over HTTP, \(options.runs) runs each")
        let fetch = try await compare(
            "fetch_http", runs: options.runs, progress: progress,
            prepare: { run in
                try Data("epoch \(run)\n".utf8).write(to: work.appendingPathComponent("metrics-\(run).txt"))
                try GitCLI.run(["add", "--all"], in: work)
                try GitCLI.run(["commit", "--quiet", "-m", "Record epoch \(run)"], in: work)
                try GitCLI.run(["push", "--quiet", "origin", "main"], in: work)
            },
            ours: { _ in try ours.fetch() },
            reference: { _ in try GitCLI.run(["fetch", "--quiet", "--prune", "origin"], in: cli) })
        report(fetch, referenceName: "git fetch", target: 1.5)
        let head = try ours.repository.resolve("main")
        guard try GitCLI.run(["rev-parse", "main"], in: cli) == head.hex else {
            throw ValidationError("the two mirrors disagree about main after fetching")
        }

        // Export targets live on tmpfs when there is one: on these machines' virtual disks,
        // journal commits and discards of earlier runs' files stalled either side for seconds
        // (samples from 0.6 s to 12 s), which measured the disk, not the exporter.
        let exports = try ScratchDirectory("sluice-bench-export", in: Self.memoryBackedDirectory)
        progress("export of HEAD's tree into \(exports.url.path), \(options.runs) runs each")
        let export = try await compare(
            "export_head", runs: options.runs, progress: progress,
            prepare: { run in
                if run > 0 { try remove(exports.path("ours-\(run - 1)"), exports.path("cli-\(run - 1)")) }
                try FileManager.default.createDirectory(at: exports.path("cli-\(run)"), withIntermediateDirectories: true)
            },
            ours: { run in try ours.repository.export(head, to: exports.path("ours-\(run)")) },
            reference: { run in
                try GitCLI.shell("git archive \(head.hex) | tar -x -C '\(exports.path("cli-\(run)").path)'", in: ours.path)
            })
        report(export, referenceName: "git archive | tar -x", target: 1.0)
        withExtendedLifetime(server) {}
    }

    /// `/dev/shm` when it is a writable directory, else the system's temporary directory.
    static var memoryBackedDirectory: URL {
        let shm = URL(fileURLWithPath: "/dev/shm")
        return FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
    }

    private func report(_ figure: Figure, referenceName: String, target: Double) {
        print(options.json ? figure.jsonLine : figure.tableLine(referenceName: referenceName, target: target))
    }

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("sluice-bench git: \(message)\n".utf8))
    }

    private func remove(_ paths: URL...) throws {
        for path in paths where FileManager.default.fileExists(atPath: path.path) {
            try FileManager.default.removeItem(at: path)
        }
    }
}
