import Foundation
@testable import Git
import SluiceTesting

/// How a test reaches its remote: the transports Sluice must support for real.
enum Transport: String, CaseIterable, CustomTestStringConvertible {
    case file
    case http

    var testDescription: String { rawValue }
}

/// A scratch directory holding a fixture remote, served over the chosen transport.
final class TestRemote: Sendable {
    let scratch: ScratchDirectory
    let fixture: RemoteFixture
    let server: GitHTTPServer?
    let url: String

    init(_ transport: Transport, basicAuth: (user: String, password: String)? = nil) throws {
        scratch = try ScratchDirectory("git-tests")
        let remotes = scratch.path("remotes")
        try FileManager.default.createDirectory(at: remotes, withIntermediateDirectories: true)
        fixture = try RemoteFixture(named: "model", in: remotes)
        switch transport {
        case .file:
            server = nil
            url = fixture.fileURL
        case .http:
            let server = try GitHTTPServer(root: remotes, basicAuth: basicAuth)
            self.server = server
            url = server.url("model.git")
        }
    }

    /// A mirror of this remote at a fresh path in the scratch directory.
    func mirror(_ name: String = "mirror", credentials: Credentials? = nil) -> Mirror {
        Mirror(path: scratch.path(name), remoteURL: url, credentials: credentials)
    }
}

import Testing
