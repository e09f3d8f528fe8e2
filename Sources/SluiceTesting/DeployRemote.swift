import Foundation
import Git

/// A deploy repository as a GitOps controller would read it: a bare repository with one
/// commit on `main`, served over smart HTTP with basic auth on loopback.
public final class DeployRemote: Sendable {
    public static let user = "deployer"
    public static let password = "deploy-password-2024"

    /// Holds the served repository; tests put their other files here too.
    public let scratch: ScratchDirectory
    /// The bare repository and a work clone to push to it as someone else.
    public let fixture: RemoteFixture
    public let server: GitHTTPServer

    /// Creates it in a scratch directory under `parent` (the system's temporary directory by default).
    public init(_ label: String = "deploy-tests", in parent: URL = FileManager.default.temporaryDirectory) throws {
        scratch = try ScratchDirectory(label, in: parent)
        let remotes = scratch.path("remotes")
        try FileManager.default.createDirectory(at: remotes, withIntermediateDirectories: true)
        fixture = try RemoteFixture(named: "deploy", in: remotes)
        try fixture.commit(["README.md": "# deploy\n"], message: "Start the deploy repository")
        try fixture.push()
        server = try GitHTTPServer(root: remotes, basicAuth: (Self.user, Self.password))
    }

    /// The repository's smart-HTTP URL.
    public var url: String { server.url("deploy.git") }

    /// Runs git in the bare repository.
    public func git(_ arguments: [String]) throws -> String {
        try GitCLI.run(arguments, in: fixture.bare)
    }

    /// The commits on `main` that carry `trailer` (key and value), newest first.
    public func commits(carrying trailer: Trailer) throws -> [String] {
        try git(["log", "--format=%H %(trailers:key=\(trailer.key),valueonly,separator=)", "main"])
            .split(separator: "\n").filter { $0.hasSuffix(" " + trailer.value) }.map { String($0.prefix(40)) }
    }
}
