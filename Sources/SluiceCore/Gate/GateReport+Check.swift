extension GateReport {
    /// One bound of one rule, applied to the candidate: the numbers it used and what it decided.
    ///
    /// Values are nil when absent (a metric missing from the candidate, no baseline), never NaN.
    /// In JSON the bound is written as the spec writes it, `"rule": "max_drop", "limit": 0.005`,
    /// and absent values as `null`, so every check has the same keys.
    public struct Check: Sendable, Hashable, Codable {
        public let metric: String
        public let bound: GateRule.Bound
        /// The spec's rule, or the server's gate floor.
        public let origin: Origin
        public let candidate: Double?
        public let baseline: Double?
        /// candidate - baseline.
        public let delta: Double?
        /// delta as a percentage of |baseline|; nil when the baseline is 0 or absent.
        let deltaPercent: Double?
        public let verdict: Verdict
        /// A sentence for people: `0.912 ≥ min 0.8`, `dropped 0.007, more than max_drop 0.005`.
        public let reason: String

        public init(
            metric: String, bound: GateRule.Bound, origin: Origin = .spec, candidate: Double?, baseline: Double?,
            verdict: Verdict, reason: String
        ) {
            self.metric = metric
            self.bound = bound
            self.origin = origin
            self.candidate = candidate
            self.baseline = baseline
            if let candidate, let baseline {
                delta = candidate - baseline
                deltaPercent = baseline == 0 ? nil : (candidate - baseline) / abs(baseline) * 100
            } else {
                delta = nil
                deltaPercent = nil
            }
            self.verdict = verdict
            self.reason = reason
        }

        private enum CodingKeys: String, CodingKey {
            case metric, rule, limit, origin, candidate, baseline, delta, deltaPercent, verdict, reason
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let key = try container.decode(String.self, forKey: .rule)
            guard let bound = GateRule.Bound(key: key, limit: try container.decode(Double.self, forKey: .limit)) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .rule, in: container, debugDescription: "'\(key)' is not a gate rule")
            }
            metric = try container.decode(String.self, forKey: .metric)
            self.bound = bound
            origin = try container.decodeIfPresent(Origin.self, forKey: .origin) ?? .spec
            candidate = try container.decodeIfPresent(Double.self, forKey: .candidate)
            baseline = try container.decodeIfPresent(Double.self, forKey: .baseline)
            delta = try container.decodeIfPresent(Double.self, forKey: .delta)
            deltaPercent = try container.decodeIfPresent(Double.self, forKey: .deltaPercent)
            verdict = try container.decode(Verdict.self, forKey: .verdict)
            reason = try container.decode(String.self, forKey: .reason)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(metric, forKey: .metric)
            try container.encode(bound.key, forKey: .rule)
            try container.encode(bound.limit, forKey: .limit)
            try container.encode(origin, forKey: .origin)
            try container.encode(candidate, forKey: .candidate)
            try container.encode(baseline, forKey: .baseline)
            try container.encode(delta, forKey: .delta)
            try container.encode(deltaPercent, forKey: .deltaPercent)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(reason, forKey: .reason)
        }
    }
}

extension GateReport.Check {
    /// The value the candidate had to reach or stay within: the limit itself for `min` and
    /// `max`, the baseline moved by the allowance for a change bound; nil for a change bound
    /// without a baseline. What the model page draws as the gate's line.
    public var threshold: Double? {
        switch bound {
        case .min(let limit), .max(let limit): limit
        case .maxDrop, .maxDropPercent: baseline.map { $0 - bound.allowance(from: $0) }
        case .maxIncrease, .maxIncreasePercent: baseline.map { $0 + bound.allowance(from: $0) }
        }
    }
}
