import ArgumentParser
import Foundation
import Git
import SluiceCore
import SluiceTesting

/// `sluice-bench promote`: writing a promotion back to a deploy repository over smart HTTP,
/// against the git CLI doing the same commit and push, in one run.
///
/// Ours renders the KServe manifest, then `DeployRepository.apply`: lock, search the remote
/// branch as last seen for the promotion's trailer, write, commit if changed, push. The reference
/// writes the same bytes and runs `git commit -a && git push`. Each side pushes to its own
/// remote (served by the same server, with basic auth), so neither pays for the other's pushes.
struct PromoteBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Manifest write-back (render, commit, push) against git commit && git push.")

    @OptionGroup var options: BenchmarkOptions

    func run() async throws {
        let renderer = ManifestRenderer(templatesDirectory: options.templatesFolder("manifests"))
        guard renderer.shippedTemplates.contains("kserve") else {
            throw ValidationError("\(options.templatesFolder("manifests").path) holds no kserve template; run from the repository root or pass --templates")
        }
        let scratch = try ScratchDirectory("sluice-bench-promote")
        let served = scratch.path("served")
        for name in ["ours", "cli"] {
            let seed = scratch.path("seed-\(name)")
            try GitCLI.run(["init", "-q", "-b", "main", seed.path])
            try Data("# Deploy repository\n".utf8).write(to: seed.appendingPathComponent("README.md"))
            try GitCLI.run(["add", "-A"], in: seed)
            try GitCLI.run(["commit", "-q", "-m", "Start the deploy repository"], in: seed)
            try GitCLI.run(["clone", "-q", "--bare", seed.path, served.appendingPathComponent("\(name).git").path])
        }
        let (user, password) = ("deployer", "bench-password-4711")
        let server = try GitHTTPServer(root: served, basicAuth: (user, password))
        let deploy = DeployConfig(repo: server.url("ours.git"), token: Secret(password), username: user)
        let ours = DeployRepository(config: deploy, stateDirectory: scratch.path("state"), clock: SystemClock())
        let cli = scratch.path("cli")
        try GitCLI.run([
            "clone", "-q", server.url("cli.git").replacingOccurrences(of: "://", with: "://\(user):\(password)@"), cli.path,
        ])
        progress("serving both deploy repositories at \(server.baseURL); libgit2 \(Libgit2.version), \(try GitCLI.run(["--version"]))")

        let path = deploy.manifestPath(environment: "production", model: "churn")
        let manifest = { (run: Int) in
            let digest = Digest.repeating(Character(String(run % 10)))
            return try renderer.render(
                template: "kserve",
                context: ManifestContext(
                    model: "churn", version: run + 1, environment: "production", digest: digest,
                    storageURI: "https://sluice.example.com/api/v1/artifacts/sha256/" + digest.hex,
                    sourceRepository: "https://github.com/acme/churn.git", sourceCommit: String(repeating: "c", count: 40),
                    run: run + 1, values: ["format": "sklearn"]))
        }
        let author = Signature(name: "Sluice", email: "sluice@sluice.example.com")
        let change = { (run: Int, text: String) in
            ManifestChange(
                path: path, contents: Data(text.utf8), message: "Promote churn v\(run + 1) to production",
                trailers: [Trailer("Sluice-Model", "churn v\(run + 1)")],
                identity: Trailer("Sluice-Promotion", "\(run + 1)@bench"), notBefore: Date().addingTimeInterval(-86_400),
                author: author)
        }
        progress("first write clones the deploy repository (untimed)")
        _ = try await ours.apply(change(-1, try manifest(99)))
        try FileManager.default.createDirectory(
            at: cli.appendingPathComponent(path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(try manifest(99).utf8).write(to: cli.appendingPathComponent(path))
        try GitCLI.run(["add", "-A"], in: cli)
        try GitCLI.shell("git commit -q -m 'Promote churn v0' && git push -q origin main", in: cli)

        progress("render, commit and push of one promotion, \(options.runs) runs each")
        let figure = try await compare(
            "promote_http", runs: options.runs, progress: progress,
            ours: { run in
                let outcome = try await ours.apply(change(run, try manifest(run)))
                guard case .committed = outcome else { throw ValidationError("write \(run) made no commit: \(outcome)") }
            },
            reference: { run in
                try Data(try manifest(run).utf8).write(to: cli.appendingPathComponent(path))
                try GitCLI.shell("git commit -q -a -m 'Promote churn v\(run + 1) to production' && git push -q origin main", in: cli)
            })
        print(options.json ? figure.jsonLine : figure.tableLine(referenceName: "git commit && git push", target: 1.5))
        let commits = try GitCLI.run(["rev-list", "--count", "main"], in: served.appendingPathComponent("ours.git"))
        guard commits == String(options.runs + 2) else {
            throw ValidationError("the deploy repository has \(commits) commits, expected \(options.runs + 2)")
        }
        withExtendedLifetime(server) {}
    }

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("sluice-bench promote: \(message)\n".utf8))
    }
}
