import Foundation

/// Medians of ours and a reference over `runs` repetitions, alternating which goes first so drift
/// in the machine's load hits both alike, each repetition after an untimed `prepare`. Every
/// sample goes to `progress`.
func compare(
    _ name: String, runs: Int, progress: (String) -> Void, prepare: (Int) async throws -> Void = { _ in },
    ours: (Int) async throws -> Void, reference: (Int) async throws -> Void
) async throws -> Figure {
    var oursSamples: [Double] = []
    var referenceSamples: [Double] = []
    for run in 0..<runs {
        try await prepare(run)
        if run.isMultiple(of: 2) {
            oursSamples.append(try await seconds { try await ours(run) })
            referenceSamples.append(try await seconds { try await reference(run) })
        } else {
            referenceSamples.append(try await seconds { try await reference(run) })
            oursSamples.append(try await seconds { try await ours(run) })
        }
    }
    let format = { (samples: [Double]) in samples.map { String(format: "%.3f", $0) }.joined(separator: " ") }
    progress("\(name) samples (s): ours \(format(oursSamples)); reference \(format(referenceSamples))")
    return Figure(name, ours: median(oursSamples), reference: median(referenceSamples))
}
