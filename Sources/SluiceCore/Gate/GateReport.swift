import Foundation

/// The outcome of one gate evaluation: one check per bound of every rule, in spec order.
///
/// It is the single record the run stores, the API serves as ``json`` and the forge shows as
/// ``markdown``, so all three always agree. A report is immutable once made.
public struct GateReport: Sendable, Hashable, Codable {
    /// How one bound fared.
    public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
        case pass
        case fail
        /// A change bound with nothing to compare against; it does not fail the gate.
        case noBaseline = "no_baseline"
    }

    /// True when no check failed (`noBaseline` counts as passing).
    public let passed: Bool
    public let checks: [Check]
    /// Which model version the candidate was compared with, such as `churn v3 (production)`;
    /// nil when there was no baseline.
    public let baselineLabel: String?

    public init(checks: [Check], baselineLabel: String?) {
        self.passed = !checks.contains { $0.verdict == .fail }
        self.checks = checks
        self.baselineLabel = baselineLabel
    }

    /// The report as pretty-printed JSON with sorted keys, so equal reports are equal bytes.
    public var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings, finite doubles and optionals cannot fail to encode; `Gate` never records a
        // non-finite value, and this strategy covers a hand-made report that does.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try! encoder.encode(self)
    }
}
