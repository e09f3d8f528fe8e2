extension GateReport.Check {
    /// The rule as written: `min 0.8`, `max_drop 0.005`; a rule of the server's gate floor says so.
    public var ruleText: String {
        "\(bound.key) \(CompactNumber.format(bound.limit))" + (origin == .server ? " (server floor)" : "")
    }

    /// The candidate's value, or `missing`.
    public var candidateText: String { candidate.map(CompactNumber.format) ?? "missing" }

    /// The baseline's value, or `—` when there is none.
    public var baselineText: String { baseline.map(CompactNumber.format) ?? "—" }

    /// The change from the baseline, with its percentage for percentage rules; `—` without one.
    public var deltaText: String {
        guard let delta else { return "—" }
        guard bound.isPercent, let deltaPercent else { return CompactNumber.signed(delta) }
        return "\(CompactNumber.signed(delta)) (\(CompactNumber.signed(deltaPercent))%)"
    }
}

extension GateReport.Verdict {
    /// `pass`, `fail` or `no baseline`, as reports show it.
    public var label: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .noBaseline: "no baseline"
        }
    }
}
