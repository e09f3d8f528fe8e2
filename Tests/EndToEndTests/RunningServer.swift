import Foundation

/// `sluice serve` on a loopback port for the tests of the commands that go through its API, and
/// the environment those commands get: `SLUICE_URL` and, when given, `SLUICE_TOKEN`.
struct RunningServer {
    let process: SluiceProcess
    let base: String
    private let environment: [String: String]

    /// Starts `sluice serve --config config` and waits until it listens.
    init(config: URL, environment: [String: String]) throws {
        self.environment = environment
        process = try SluiceProcess(["serve", "--config", config.path], environment: environment)
        base = try process.waitFor(/listening on (http:\/\/[0-9.:]+)/)
    }

    /// The environment of a command run as the holder of `token` (nobody's, when nil).
    func client(token: String?) -> [String: String] {
        var environment = environment
        environment["SLUICE_URL"] = base
        environment["SLUICE_TOKEN"] = token
        return environment
    }

    /// SIGTERM, and the exit status.
    func stop() -> Int32 {
        process.kill(SIGTERM)
        return process.waitForExit()
    }
}
