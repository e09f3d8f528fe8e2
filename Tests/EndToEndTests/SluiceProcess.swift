import Foundation
import Synchronization
import Testing

/// The real `sluice` binary as a child process, with its combined output captured.
final class SluiceProcess: Sendable {
    /// The built `sluice` executable: the test bundle is built beside the products.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("sluice")
    }

    private let process: Process
    private let output = Output()

    /// Starts `sluice arguments` with `environment` added to this process's, in `directory`
    /// (this process's own when nil).
    init(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws {
        process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let reader = pipe.fileHandleForReading
        Thread { [output] in
            // availableData returns whatever has arrived; read(upToCount:) would wait for a full buffer.
            while case let chunk = reader.availableData, !chunk.isEmpty {
                output.text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }.start()
    }

    var text: String { output.text.withLock { $0 } }

    /// What the child has written so far; filled by a reader thread.
    private final class Output: Sendable {
        let text = Mutex<String>("")
    }

    /// Waits until the output matches `pattern` and returns the match's first capture.
    func waitFor(_ pattern: Regex<(Substring, Substring)>, within timeout: Duration = .seconds(30)) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = text.firstMatch(of: pattern) { return String(match.1) }
            if !process.isRunning, text.firstMatch(of: pattern) == nil { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw Failure(message: "no match for the expected line; output so far:\n\(text)")
    }

    /// Waits until `condition` holds, looking every 20 ms; on time-out the error shows what the
    /// process printed.
    func waitUntil(
        _ what: String, within timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                throw Failure(message: "timed out waiting until \(what); sluice said:\n\(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// ``run(_:environment:in:)`` on a thread of its own, for a test whose server for the
    /// command runs in this process: waiting must not hold a thread of the concurrency pool
    /// that server's handlers need.
    static func runOffPool(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try run(arguments, environment: environment) }) }.start()
        }
    }

    /// Runs `sluice arguments` to completion and returns its exit status and output.
    static func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws
        -> (Int32, String)
    {
        let child = try SluiceProcess(arguments, environment: environment, in: directory)
        child.process.waitUntilExit()
        // The reader thread drains what is left in the pipe after exit.
        let deadline = ContinuousClock.now + .seconds(5)
        var previous = ""
        while ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            let now = child.text
            if now == previous { break }
            previous = now
        }
        return (child.process.terminationStatus, child.text)
    }

    func kill(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status.
    func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    var terminationReason: Process.TerminationReason { process.terminationReason }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
