import Foundation
import Glibc

/// The folders of one run, under `state_dir/runs/<id>/`.
///
/// `work/` holds everything a step may change (the source export, `SLUICE_OUTPUT`, `HOME`,
/// `TMPDIR` and `SLUICE_METRICS`) and is the only folder a sandboxed step can write. The step
/// logs and the baseline's metrics sit beside it, where a step cannot plant a symlink: the server
/// writes and serves the logs, and opens them without following links (``ConfinedPath``).
public struct RunDirectory: Sendable, Hashable {
    public let root: URL

    public init(stateDirectory: URL, run: Run.ID) {
        root = stateDirectory.appendingPathComponent("runs/\(run.rawValue)", isDirectory: true)
    }

    /// The steps' own folder: the only one a sandboxed step can write.
    public var work: URL { root.appendingPathComponent("work", isDirectory: true) }
    /// The exported commit, and every step's working directory.
    public var source: URL { work.appendingPathComponent("source", isDirectory: true) }
    /// `SLUICE_OUTPUT`: where the train step leaves the artifact.
    public var output: URL { work.appendingPathComponent("output", isDirectory: true) }
    /// `SLUICE_METRICS`: the JSON object of numbers the validate step writes.
    public var metrics: URL { work.appendingPathComponent("metrics.json") }
    /// `HOME` for the steps, so nothing they cache lands in the server's home.
    public var home: URL { work.appendingPathComponent("home", isDirectory: true) }
    /// `TMPDIR` for the steps.
    public var temporary: URL { work.appendingPathComponent("tmp", isDirectory: true) }
    /// `SLUICE_BASELINE_METRICS`, written by the server before the steps, only when there is a
    /// baseline; steps read it but cannot change it.
    var baselineMetrics: URL { root.appendingPathComponent("baseline-metrics.json") }

    public func log(of step: String) -> URL {
        root.appendingPathComponent(Self.logPath(of: step))
    }

    private static func logPath(of step: String) -> String { "logs/\(step).log" }

    /// Up to `limit` bytes of a step's log from byte `offset`: what a client following a running
    /// step asks for next. Empty when the step has no log (yet), or when something other than a
    /// regular file stands at its path.
    public func logBytes(of step: String, from offset: Int, limit: Int) -> Data {
        guard let descriptor = openLog(of: step) else { return Data() }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil else { return Data() }
        return (try? handle.read(upToCount: limit)) ?? Data()
    }

    /// The size of a step's log so far; 0 when it has none.
    public func logSize(of step: String) -> Int {
        guard let descriptor = openLog(of: step) else { return 0 }
        defer { close(descriptor) }
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int(status.st_size) : 0
    }

    /// The log of `step`, opened for reading when it is a regular file reached without a link.
    private func openLog(of step: String) -> Int32? {
        guard !step.contains("/"), let descriptor = try? ConfinedPath.open(Self.logPath(of: step), under: root, flags: O_RDONLY | O_NONBLOCK)
        else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Creates every folder but `source`, which the export creates, each readable by the server's
    /// user only.
    func create() throws {
        for folder in [output, home, temporary, root.appendingPathComponent("logs", isDirectory: true)] {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }
}
