extension GateReport {
    /// How a candidate's own gate rules are looser than those the replaced version passed, as
    /// recorded in its report `replaced`: every bound it had that is gone, every limit relaxed,
    /// and `require_baseline` turned off. One sentence each, in the replaced report's order.
    ///
    /// Only the spec's own rules are compared: the server's floor applies to both alike. A new
    /// rule, or a stricter limit, is not a loosening. An empty answer means the candidate may be
    /// promoted as the environments' policies say; any loosening makes every environment need
    /// approval for that version (see ``EnvironmentPolicy/requiringApproval``).
    static func loosenings(
        of rules: [GateRule], requireBaseline: Bool, comparedWith replaced: GateReport, replacedLabel: String
    ) -> [String] {
        var found: [String] = []
        for (metric, old) in replaced.specRules {
            let new = rules.filter { $0.metric == metric }.flatMap(\.bounds).first { $0.key == old.key }
            let oldText = "\(old.key) \(CompactNumber.format(old.limit))"
            guard let new else {
                found.append("'\(metric)': \(oldText) was removed (\(replacedLabel) had to pass it)")
                continue
            }
            if new.isLooser(than: old) {
                found.append(
                    "'\(metric)': \(old.key) relaxed from \(CompactNumber.format(old.limit)) to \(CompactNumber.format(new.limit)) "
                        + "(\(replacedLabel) had to pass \(oldText))")
            }
        }
        if replaced.requireBaseline, !requireBaseline {
            found.append("require_baseline was turned off (\(replacedLabel) required a baseline)")
        }
        return found
    }
}

extension GateRule.Bound {
    /// Whether this bound lets through a value that `other`, of the same key, refuses.
    func isLooser(than other: GateRule.Bound) -> Bool {
        switch self {
        case .min: limit < other.limit
        default: limit > other.limit
        }
    }
}
