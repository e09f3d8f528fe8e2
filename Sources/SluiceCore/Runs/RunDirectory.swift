import Foundation

/// The folders of one run, under `state_dir/runs/<id>/`. The whole folder is the only place a
/// sandboxed step may write.
public struct RunDirectory: Sendable, Hashable {
    public let root: URL

    public init(stateDirectory: URL, run: Run.ID) {
        root = stateDirectory.appendingPathComponent("runs/\(run.rawValue)", isDirectory: true)
    }

    /// The exported commit, and every step's working directory.
    public var source: URL { root.appendingPathComponent("source", isDirectory: true) }
    /// `SLUICE_OUTPUT`: where the train step leaves the artifact.
    public var output: URL { root.appendingPathComponent("output", isDirectory: true) }
    /// `SLUICE_METRICS`: the JSON object of numbers the validate step writes.
    public var metrics: URL { root.appendingPathComponent("metrics.json") }
    /// `SLUICE_BASELINE_METRICS`, written only when there is a baseline.
    public var baselineMetrics: URL { root.appendingPathComponent("baseline-metrics.json") }
    /// `HOME` for the steps, so nothing they cache lands in the server's home.
    public var home: URL { root.appendingPathComponent("home", isDirectory: true) }
    /// `TMPDIR` for the steps.
    public var temporary: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    public func log(of step: String) -> URL {
        root.appendingPathComponent("logs/\(step).log")
    }

    /// Up to `limit` bytes of a step's log from byte `offset`: what a client following a running
    /// step asks for next. Empty when the step has no log (yet).
    public func logBytes(of step: String, from offset: Int, limit: Int) -> Data {
        guard let handle = try? FileHandle(forReadingFrom: log(of: step)) else { return Data() }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil else { return Data() }
        return (try? handle.read(upToCount: limit)) ?? Data()
    }

    /// Creates every folder but `source`, which the export creates.
    func create() throws {
        for folder in [output, home, temporary, root.appendingPathComponent("logs", isDirectory: true)] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
    }
}
