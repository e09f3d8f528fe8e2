import Foundation
@testable import Git
import SluiceTesting
import Testing

@Suite("Credentials and network failures")
struct RemoteAccessTests {
    static let user = "deployer"
    static let password = "s3cret-Pa55word"

    @Test("The right password over basic auth fetches, and is never written to the mirror's config")
    func rightPasswordFetches() throws {
        let remote = try TestRemote(.http, basicAuth: (Self.user, Self.password))
        let head = try remote.fixture.commit(["a": "1"])
        try remote.fixture.push()
        let mirror = remote.mirror(credentials: .password(username: Self.user, password: Self.password))
        try mirror.fetch()
        #expect(try mirror.repository.resolve("main").hex == head)
        let config = try String(contentsOf: mirror.path.appendingPathComponent("config"), encoding: .utf8)
        #expect(!config.contains(Self.password))
        #expect(config.contains(remote.url))
    }

    @Test("A token is sent as the basic-auth password")
    func tokenFetches() throws {
        let remote = try TestRemote(.http, basicAuth: ("x-access-token", "ghp_tokenvalue"))
        try remote.fixture.commit(["a": "1"])
        try remote.fixture.push()
        try remote.mirror(credentials: .token("ghp_tokenvalue")).fetch()
    }

    @Test("A wrong password fails fast with an authentication error that does not contain the password")
    func wrongPasswordFailsFast() throws {
        let remote = try TestRemote(.http, basicAuth: (Self.user, Self.password))
        try remote.fixture.commit(["a": "1"])
        try remote.fixture.push()
        let wrong = "wrong-Pa55word-xyz"
        let mirror = remote.mirror(credentials: .password(username: Self.user, password: wrong))
        let started = ContinuousClock.now
        let error = #expect(throws: GitError.self) { try mirror.fetch() }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(error?.code == .authentication)
        let text = String(describing: error)
        #expect(!text.contains(wrong))
        #expect(!text.contains(Self.password))
    }

    @Test("No credentials for a protected remote is an authentication error")
    func missingCredentials() throws {
        let remote = try TestRemote(.http, basicAuth: (Self.user, Self.password))
        let error = #expect(throws: GitError.self) { try remote.mirror().fetch() }
        #expect(error?.code == .authentication)
    }

    @Test("A URL that carries a password is refused before anything is written, without echoing it")
    func passwordInURLRefused() throws {
        let scratch = try ScratchDirectory()
        let mirror = Mirror(path: scratch.path("m"), remoteURL: "https://bob:hunter2@example.com/acme/churn.git")
        let error = #expect(throws: GitError.self) { try mirror.fetch() }
        #expect(error?.code == .invalidInput)
        #expect(!String(describing: error).contains("hunter2"))
        #expect(!FileManager.default.fileExists(atPath: mirror.path.path))
    }

    @Test("A closed port gives a network error at once")
    func closedPort() throws {
        let scratch = try ScratchDirectory()
        let port = try LoopbackListener().closePort()
        let mirror = Mirror(path: scratch.path("m"), remoteURL: "http://127.0.0.1:\(port)/model.git")
        let started = ContinuousClock.now
        let error = #expect(throws: GitError.self) { try mirror.fetch() }
        #expect(error?.code == .network)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("A server that accepts but never answers gives a network error within the I/O timeout")
    func stalledServerTimesOut() throws {
        let scratch = try ScratchDirectory()
        let listener = try LoopbackListener()
        let mirror = Mirror(
            path: scratch.path("m"), remoteURL: "http://127.0.0.1:\(listener.port)/model.git",
            timeouts: NetworkTimeouts(connect: .seconds(2), io: .seconds(1)))
        let started = ContinuousClock.now
        let error = #expect(throws: GitError.self) { try mirror.fetch() }
        let elapsed = ContinuousClock.now - started
        #expect(error?.code == .network)
        #expect(error?.message.contains("timed out") == true, "\(String(describing: error))")
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(5))
        withExtendedLifetime(listener) {}
    }
}

/// A loopback TCP socket that listens but never accepts: connections complete in the kernel's
/// backlog and then hear nothing, like a hung server.
final class LoopbackListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard listening else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Closes the socket and returns its port, which now refuses connections.
    func closePort() -> Int {
        close(descriptor)
        return port
    }

    deinit {
        close(descriptor)
    }
}
