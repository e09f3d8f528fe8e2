import ArgumentParser
import Foundation

/// `sluice-bench`: performance figures, each measured against a reference in the same run.
///
/// Every figure is printed as ours, the reference, and their ratio (ours / reference), never as a
/// bare absolute time, because these machines are small and noisy: only ratios travel.
@main
struct SluiceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-bench",
        abstract: "Measure Sluice against reference implementations (medians, ratios).",
        subcommands: [
            GitBenchmark.self, IngestBenchmark.self, GateBenchmark.self, PromoteBenchmark.self, EndToEndBenchmark.self,
            ReplicasBenchmark.self,
        ])
}

/// Options every benchmark takes.
struct BenchmarkOptions: ParsableArguments {
    @Flag(help: "Print one JSON object per line and figure instead of a table.")
    var json = false

    @Option(help: "Measured repetitions per figure; the median is reported.")
    var runs = 5

    @Option(help: "The templates/ folder of a Sluice checkout (starter project, manifests, web UI).")
    var templates = "templates"

    /// A folder inside `templates`.
    func templatesFolder(_ folder: String) -> URL {
        URL(fileURLWithPath: templates).appending(path: folder)
    }

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }
}
