import ArgumentParser
import Foundation
import SluiceCore
import SluiceTesting

/// What the benchmarks that run the starter project share: the release `sluice` beside this
/// binary, the project's folder, and its three steps run directly as the reference.
enum StarterProject {
    /// The `sluice` executable beside `sluice-bench`.
    static func sluiceBinary() throws -> URL {
        guard let sluice = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("sluice"),
            FileManager.default.isExecutableFile(atPath: sluice.path)
        else {
            throw ValidationError("no sluice executable beside sluice-bench; build it: swift build -c release --product sluice")
        }
        return sluice
    }

    /// The starter project at `path`, checked to hold a `.sluice.yml`.
    static func folder(_ path: String) throws -> URL {
        let template = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: template.appendingPathComponent(".sluice.yml").path) else {
            throw ValidationError("\(path) holds no .sluice.yml; run from the repository root or pass --templates")
        }
        return template
    }

    /// test, train and validate run directly in `directory` (a copy of the project), with the
    /// PATH steps get, so both sides run the same `python3`.
    static func runStepsDirectly(in directory: URL) throws {
        let path = directory.path
        _ = try GitCLI.shell(
            "cd '\(path)' && export PATH='\(GateRunner.stepPath)' SLUICE_OUTPUT='\(path)/output' "
                + "SLUICE_METRICS='\(path)/metrics.json' "
                + "&& mkdir -p output && python3 -m unittest -q 2>/dev/null && python3 train.py > /dev/null "
                + "&& python3 evaluate.py > /dev/null")
    }
}
