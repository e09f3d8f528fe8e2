/// One entry of a pipeline spec's `gate`: the bounds one metric of the candidate must respect,
/// absolutely and against the baseline.
public struct GateRule: Sendable, Hashable, Codable {
    /// A limit on the candidate's value, or on its change from the baseline's.
    public enum Bound: Sendable, Hashable, Codable {
        /// `min`: the candidate is at least this.
        case min(Double)
        /// `max`: the candidate is at most this.
        case max(Double)
        /// `max_drop`: baseline - candidate is at most this.
        case maxDrop(Double)
        /// `max_increase`: candidate - baseline is at most this.
        case maxIncrease(Double)
        /// `max_drop_pct`: the drop is at most this percentage of the baseline.
        case maxDropPercent(Double)
        /// `max_increase_pct`: the increase is at most this percentage of the baseline.
        case maxIncreasePercent(Double)

        /// The spec key that writes this bound (`max_drop_pct`).
        public var key: String {
            switch self {
            case .min: "min"
            case .max: "max"
            case .maxDrop: "max_drop"
            case .maxIncrease: "max_increase"
            case .maxDropPercent: "max_drop_pct"
            case .maxIncreasePercent: "max_increase_pct"
            }
        }

        /// Whether the bound compares with the baseline (and so needs one).
        public var isChange: Bool {
            switch self {
            case .min, .max: false
            case .maxDrop, .maxIncrease, .maxDropPercent, .maxIncreasePercent: true
            }
        }
    }

    /// Which way is better for a metric, for reading deltas in reports.
    public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
        case higher
        case lower
    }

    public var metric: String
    /// In the order the spec writes them; never empty.
    public var bounds: [Bound]
    /// `direction` in the spec; when absent, `higher` if any bound is `min` or a drop limit,
    /// otherwise `lower`.
    var direction: Direction

    public init(metric: String, bounds: [Bound], direction: Direction? = nil) {
        self.metric = metric
        self.bounds = bounds
        self.direction = direction ?? Self.inferredDirection(bounds)
    }

    private static func inferredDirection(_ bounds: [Bound]) -> Direction {
        let higher = bounds.contains { bound in
            switch bound {
            case .min, .maxDrop, .maxDropPercent: true
            default: false
            }
        }
        return higher ? .higher : .lower
    }
}
