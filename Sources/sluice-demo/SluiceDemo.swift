import ArgumentParser
import Curl
import Foundation
import SluiceTesting

/// `make demo`: the whole main job of Sluice, end to end, on the starter project.
///
/// A separate executable, not a `sluice` subcommand: to play GitHub it serves git over smart
/// HTTP with `git http-backend` and answers the GitHub API with a loopback fake, and the product
/// itself carries neither (it never runs the git CLI).
@main
struct SluiceDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-demo",
        abstract: "Run Sluice's main job end to end on the starter project, in a temporary folder.",
        discussion: """
            Creates a model repository (sluice init) and a deploy repository, serves both over smart \
            HTTP on loopback, starts `sluice serve` against them and a fake GitHub API, pushes a \
            commit and delivers GitHub's signed push webhook, follows the run, approves production \
            with `sluice approve`, and shows the deploy repository. Then a pull request that makes \
            the model worse: its failing gate table, as the pull-request comment carries it, and \
            nothing promoted. Exits 0 when every step did what it should, and leaves nothing running.
            """)

    @Option(help: "Where to build the demo (default: a new folder under /tmp).")
    var folder: String?

    func run() async throws {
        // The running executable's own path (/proc/self/exe), not argv[0], which is a bare
        // name when sluice-demo is found on PATH.
        let sluice = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
            .deletingLastPathComponent().appending(path: "sluice")
        guard FileManager.default.isExecutableFile(atPath: sluice.path) else {
            throw DemoFailure("no sluice binary beside sluice-demo at \(sluice.path); build both (make demo does)")
        }
        let root: URL
        if let folder {
            root = URL(fileURLWithPath: folder)
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } else {
            root = URL(fileURLWithPath: try DemoWorld.run("mktemp", ["-d", "/tmp/sluice-demo-XXXXXX"]))
        }
        let forge = FakeForge(.github)
        do {
            try await forge.serve { apiURL in
                try await DemoScript(root: root, sluice: sluice, forge: forge, apiURL: apiURL).play()
            }
        } catch {
            print("\nmake demo failed: \(error)")
            print("Everything it made is in \(root.path); the server's log is \(root.appending(path: "sluice.log").path)")
            throw ExitCode(1)
        }
    }
}
