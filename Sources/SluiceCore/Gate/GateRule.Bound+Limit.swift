extension GateRule.Bound {
    /// The number the spec writes after the bound's key.
    var limit: Double {
        switch self {
        case .min(let limit), .max(let limit), .maxDrop(let limit), .maxIncrease(let limit),
            .maxDropPercent(let limit), .maxIncreasePercent(let limit):
            limit
        }
    }

    /// The bound a spec key names, for reading a report back; nil for an unknown key.
    init?(key: String, limit: Double) {
        switch key {
        case "min": self = .min(limit)
        case "max": self = .max(limit)
        case "max_drop": self = .maxDrop(limit)
        case "max_increase": self = .maxIncrease(limit)
        case "max_drop_pct": self = .maxDropPercent(limit)
        case "max_increase_pct": self = .maxIncreasePercent(limit)
        default: return nil
        }
    }

    /// Whether the limit is a percentage of the baseline.
    var isPercent: Bool {
        switch self {
        case .maxDropPercent, .maxIncreasePercent: true
        default: false
        }
    }

    /// How far from `baseline` a change bound lets the candidate move, in the metric's own units.
    func allowance(from baseline: Double) -> Double {
        isPercent ? limit / 100 * abs(baseline) : limit
    }
}
