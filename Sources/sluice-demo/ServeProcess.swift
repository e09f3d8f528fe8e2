import Curl
import Foundation

/// `sluice serve` as a child process of the demo, its output in `sluice.log`; stopped with
/// SIGTERM, as a service manager would, so it shuts down cleanly.
final class ServeProcess {
    let log: URL
    private let process = Process()
    private let world: DemoWorld

    init(sluice: URL, world: DemoWorld, forgeToken: String) throws {
        self.world = world
        log = world.folder.appending(path: "sluice.log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw DemoFailure("could not create \(log.path)")
        }
        process.executableURL = sluice
        process.arguments = ["serve", "--config", world.configFile.path]
        process.environment = DemoWorld.environment(forgeToken: forgeToken)
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// Waits until `/readyz` answers 200, or the process has exited.
    func waitUntilReady(http: HTTPClient) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw DemoFailure("sluice serve exited with status \(process.terminationStatus):\n\(logText)")
            }
            if let response = try? await http.send(HTTPRequest(url: world.sluiceURL + "/readyz", timeout: .seconds(2))),
                response.status == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoFailure("sluice serve did not become ready within a minute:\n\(logText)")
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits for the clean exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
