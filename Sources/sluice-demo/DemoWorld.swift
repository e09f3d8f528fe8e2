import Foundation
import Glibc
import SluiceTesting

/// Everything the demo stands up in its temporary folder: the starter project as a model
/// repository and an empty deploy repository, both bare and served over smart HTTP on loopback,
/// a developer's clone to push from, and the server config that points `sluice serve` at them.
struct DemoWorld {
    static let webhookSecret = "demo-webhook-secret"
    /// The demo's people: alice approves production; the demo itself reads as a viewer.
    static let aliceToken = "demo-alice-token-2718"
    static let viewerToken = "demo-viewer-token-3141"

    let folder: URL
    let remotes: URL
    let work: URL
    let gitServer: GitHTTPServer
    let sluicePort: Int

    /// Builds the repositories with `sluice init` and git, and starts the git HTTP server.
    init(folder: URL, sluice: URL) throws {
        self.folder = folder
        remotes = folder.appending(path: "remotes")
        work = folder.appending(path: "churn")
        let acme = remotes.appending(path: "acme")
        try FileManager.default.createDirectory(at: acme, withIntermediateDirectories: true)
        try Self.run(sluice.path, ["init", work.path])
        let churn = acme.appending(path: "churn.git").path
        try GitCLI.run(["init", "--quiet", "--initial-branch=main", work.path])
        for arguments in [
            ["add", "--all"], ["commit", "--quiet", "-m", "Start the churn model from sluice init"],
            ["init", "--quiet", "--bare", "--initial-branch=main", churn], ["remote", "add", "origin", churn],
            ["push", "--quiet", "origin", "main"],
        ] {
            try GitCLI.run(arguments, in: work)
        }

        let deploy = folder.appending(path: "deploy-seed")
        try GitCLI.run(["init", "--quiet", "--initial-branch=main", deploy.path])
        try Data("# Manifests that Argo CD or Flux syncs; written by Sluice.\n".utf8)
            .write(to: deploy.appending(path: "README.md"))
        try GitCLI.run(["add", "--all"], in: deploy)
        try GitCLI.run(["commit", "--quiet", "-m", "Start the deploy repository"], in: deploy)
        try GitCLI.run(["clone", "--quiet", "--bare", deploy.path, acme.appending(path: "deploy.git").path])

        gitServer = try GitHTTPServer(root: remotes)
        sluicePort = try Self.freePort()
    }

    var modelURL: String { gitServer.url("acme/churn.git") }
    var deployURL: String { gitServer.url("acme/deploy.git") }
    var sluiceURL: String { "http://127.0.0.1:\(sluicePort)" }
    var configFile: URL { folder.appending(path: "sluice.yml") }
    var deployBare: URL { remotes.appending(path: "acme/deploy.git") }

    /// Writes `sluice.yml` for a server on `sluicePort` that reports to the fake GitHub at `apiURL`.
    func writeConfig(apiURL: String) throws {
        let config = """
            # Written by sluice-demo: one project on a fake GitHub, its deploy repository, a local state folder.
            listen: 127.0.0.1:\(sluicePort)
            public_url: \(sluiceURL)
            state_dir: \(folder.appending(path: "state").path)
            projects:
              - name: churn
                forge: github
                repo: \(modelURL)
                webhook_secret_env: DEMO_WEBHOOK_SECRET
                token_env: DEMO_GITHUB_TOKEN
                api_url: \(apiURL)
                environments:               # the protection of each environment is the operator's
                  - name: staging
                    auto: true
                  - name: production
                    approvals: 1
                    approvers: [alice, bob]
            auth:
              tokens_env: DEMO_API_TOKENS
            deploy:
              repo: \(deployURL)
              branch: main
              path: environments/{environment}/{model}.yaml
            executor: { max_parallel: 2, shutdown_grace: 10s }

            """
        try Data(config.utf8).write(to: configFile)
    }

    /// Runs git in the developer's clone.
    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        try GitCLI.run(arguments, in: work)
    }

    /// Runs git in the deploy repository as its GitOps controller would read it.
    func deployGit(_ arguments: [String]) throws -> String {
        try GitCLI.run(arguments, in: deployBare)
    }

    /// The environment `sluice` commands get: this one, plus the secrets the config names.
    static func environment(forgeToken: String) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(
            [
                "DEMO_WEBHOOK_SECRET": webhookSecret, "DEMO_GITHUB_TOKEN": forgeToken,
                "DEMO_API_TOKENS": "alice:release-manager:\(aliceToken),demo:viewer:\(viewerToken)",
            ]) { $1 }
    }

    /// Runs `executable arguments` to its end; its output is returned.
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String {
        try Command.run(
            executable, arguments, in: nil, environment: environment, input: nil,
            failure: { status, output in DemoFailure("\(executable) \(arguments.joined(separator: " ")) exited \(status): \(output)") })
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw DemoFailure("could not open a socket to find a free port") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socket, socketAddress, length) == 0 && getsockname(socket, socketAddress, &length) == 0
            }
        }
        guard bound else { throw DemoFailure("could not find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why the demo stopped, in a sentence.
struct DemoFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
