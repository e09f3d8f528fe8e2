extension GateRule.Bound {
    /// The number the spec writes after the bound's key.
    var limit: Double {
        switch self {
        case .min(let limit), .max(let limit), .maxDrop(let limit), .maxIncrease(let limit),
            .maxDropPercent(let limit), .maxIncreasePercent(let limit):
            limit
        }
    }

    /// Every kind of bound with `limit`, in the order messages list them.
    static func every(_ limit: Double) -> [Self] {
        [.min(limit), .max(limit), .maxDrop(limit), .maxIncrease(limit), .maxDropPercent(limit), .maxIncreasePercent(limit)]
    }

    /// The keys a gate rule sets its bounds with; each is written once, in ``key``.
    static let keys = every(0).map(\.key)

    /// The bound a spec key names (reading a spec or a report back); nil for an unknown key.
    init?(key: String, limit: Double) {
        guard let bound = Self.every(limit).first(where: { $0.key == key }) else { return nil }
        self = bound
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
