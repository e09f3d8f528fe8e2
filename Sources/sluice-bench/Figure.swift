import Foundation

/// One benchmark result: our median against the reference's median, measured in the same run.
struct Figure {
    enum Better: String {
        case lower
        case higher
    }

    /// A short identifier such as `clone_http`.
    let name: String
    let ours: Double
    let reference: Double
    let unit: String
    let better: Better

    init(_ name: String, ours: Double, reference: Double, unit: String = "s", better: Better = .lower) {
        self.name = name
        self.ours = ours
        self.reference = reference
        self.unit = unit
        self.better = better
    }

    var ratio: Double { ours / reference }

    /// The line `--json` prints, keys in a fixed order:
    /// `{"figure": "clone_http", "ours": 3.1, "reference": 3.4, "unit": "s", "ratio": 0.91, "better": "lower"}`
    var jsonLine: String {
        "{\"figure\": \"\(name)\", \"ours\": \(Self.rounded(ours)), \"reference\": \(Self.rounded(reference)), "
            + "\"unit\": \"\(unit)\", \"ratio\": \(Self.rounded(ratio)), \"better\": \"\(better.rawValue)\"}"
    }

    /// The human line: both medians, the ratio, and whether it meets `target` when there is one.
    func tableLine(referenceName: String, target: Double?) -> String {
        var line = name.padding(toLength: max(14, name.count), withPad: " ", startingAt: 0)
            + " ours " + String(format: "%8.3f", ours) + " \(unit)"
            + "   \(referenceName) " + String(format: "%8.3f", reference) + " \(unit)"
            + "   ratio " + String(format: "%.2f", ratio)
        if let target {
            let meets = better == .lower ? ratio <= target : ratio >= target
            line += " (\(meets ? "meets" : "MISSES") target \(better == .lower ? "<=" : ">=") "
                + String(format: "%.2f", target) + ")"
        }
        return line
    }

    private static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}

/// How long `body` takes, in seconds.
func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let elapsed = try await ContinuousClock().measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// The middle value of `samples` (the mean of the two middle values for an even count).
func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
