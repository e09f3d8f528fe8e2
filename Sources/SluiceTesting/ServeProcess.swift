import Foundation

/// `sluice serve` as a child process of the demo or a benchmark: its output in a log file, its
/// address read from the log, its peak memory from `/proc`, and SIGTERM to stop it, as a service
/// manager would.
///
/// `@unchecked Sendable`: `Process` is not `Sendable`, but after `init` it is only read,
/// signalled and waited on, which is safe from any thread.
public final class ServeProcess: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let log: URL
    private let process = Process()

    /// Starts `sluice serve --config config` with `environment`, writing to `log`.
    public init(sluice: URL, config: URL, environment: [String: String], log: URL) throws {
        self.log = log
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw Failure(description: "could not create \(log.path)")
        }
        process.executableURL = sluice
        process.arguments = ["serve", "--config", config.path]
        process.environment = environment
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }
    public var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// `http://HOST:PORT`, once the server has logged where it listens (at most a minute).
    public func address() async throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let match = logText.firstMatch(of: /listening on (http:\/\/[0-9.:\[\]]+)/) { return String(match.1) }
            guard process.isRunning else {
                throw Failure(description: "sluice serve exited with status \(process.terminationStatus):\n\(logText)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "sluice serve did not listen within a minute:\n\(logText)")
    }

    /// The process's peak resident set (`VmHWM`), in MB; 0 once it has exited.
    public var peakResidentMegabytes: Double {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        let kilobytes = line.flatMap { Double($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        return kilobytes / 1024
    }

    /// SIGTERM, then waits for the clean exit.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        stop()
    }
}
