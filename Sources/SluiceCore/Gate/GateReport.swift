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

    /// Where a rule came from: the candidate's own `.sluice.yml`, or the server's gate floor
    /// (`projects[].gate`), which applies whatever the spec says.
    public enum Origin: String, Sendable, Hashable, Codable, CaseIterable {
        case spec
        case server
    }

    /// True when no check failed (`noBaseline` counts as passing).
    public let passed: Bool
    public let checks: [Check]
    /// Which model version the candidate was compared with, such as `churn v3 (production)`;
    /// nil when there was no baseline.
    public let baselineLabel: String?
    /// The spec's `require_baseline`, so a later candidate can be compared with it.
    let requireBaseline: Bool
    /// How the candidate's own rules are looser than those of the version it would replace (the
    /// baseline), one sentence each; non-empty means every environment needs approval.
    let loosened: [String]

    public init(checks: [Check], baselineLabel: String?, requireBaseline: Bool = false, loosened: [String] = []) {
        self.passed = !checks.contains { $0.verdict == .fail }
        self.checks = checks
        self.baselineLabel = baselineLabel
        self.requireBaseline = requireBaseline
        self.loosened = loosened
    }

    private enum CodingKeys: String, CodingKey {
        case passed, checks, baselineLabel, requireBaseline, loosened
    }

    /// Reports stored before the gate floor and loosening checks read as spec-only and unloosened.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        passed = try container.decode(Bool.self, forKey: .passed)
        checks = try container.decode([Check].self, forKey: .checks)
        baselineLabel = try container.decodeIfPresent(String.self, forKey: .baselineLabel)
        requireBaseline = try container.decodeIfPresent(Bool.self, forKey: .requireBaseline) ?? false
        loosened = try container.decodeIfPresent([String].self, forKey: .loosened) ?? []
    }

    /// The candidate's own rules, as this report applied them: what a later candidate may not loosen.
    var specRules: [(metric: String, bound: GateRule.Bound)] {
        checks.filter { $0.origin == .spec }.map { ($0.metric, $0.bound) }
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
