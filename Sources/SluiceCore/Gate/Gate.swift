/// Judges a candidate's metrics against a pipeline spec's gate rules and the baseline's metrics.
///
/// The gate fails closed: a metric missing from the candidate, or not finite, fails every bound of
/// its rule. A change bound (`max_drop`, `max_increase`, their `_pct` forms) needs the baseline's
/// value of the metric; without one (the first run of a model, or a baseline that never recorded
/// that metric) the check is `noBaseline`, which does not fail the gate, unless `requireBaseline`
/// is set, when it fails.
///
/// Comparisons are inclusive (a value exactly at its limit passes) and forgive rounding: a value
/// over its limit by at most one part in a billion (``relativeTolerance``) of the largest number
/// involved (candidate, baseline, limit) counts as at the limit. So with baseline 0.9, candidate
/// 0.895 and `max_drop: 0.005` the gate passes, although 0.9 - 0.895 is 0.0050000000000000044 in
/// binary floating point.
///
/// A percent bound compares the change with that percentage of |baseline|. With a baseline of 0
/// the percentage is undefined, so the bound allows no change in the direction it limits: the
/// candidate passes when it stays at 0 or moves the other way (a rise under `max_drop_pct`), and
/// fails otherwise, with "baseline is 0; a percentage change is undefined".
enum Gate {
    /// How far past a limit, relative to the numbers compared, still counts as at the limit.
    static let relativeTolerance = 1e-9

    /// One check per bound of every rule, in the order the spec writes them, then one per bound
    /// of the server's `floor`, which applies whatever the spec says.
    ///
    /// `baselineLabel` names the baseline in reports (`churn v3 (production)`); it is dropped when
    /// `baseline` is nil, and defaults to "the baseline" when only `baseline` is given. `loosened`
    /// (see ``GateReport/loosenings(of:requireBaseline:comparedWith:)``) goes into the report as is.
    static func evaluate(
        rules: [GateRule], floor: [GateRule] = [], candidate: Metrics, baseline: Metrics?, requireBaseline: Bool,
        baselineLabel: String? = nil, loosened: [String] = []
    ) -> GateReport {
        var checks: [GateReport.Check] = []
        for (origin, rules) in [(GateReport.Origin.spec, rules), (.server, floor)] {
            for rule in rules {
                for bound in rule.bounds {
                    checks.append(
                        check(
                            rule.metric, bound, origin: origin, candidate: candidate.values[rule.metric], baseline: baseline,
                            requireBaseline: requireBaseline))
                }
            }
        }
        return GateReport(
            checks: checks, baselineLabel: baseline.map { _ in baselineLabel ?? "the baseline" },
            requireBaseline: requireBaseline, loosened: loosened)
    }

    private static func check(
        _ metric: String, _ bound: GateRule.Bound, origin: GateReport.Origin, candidate: Double?, baseline: Metrics?,
        requireBaseline: Bool
    ) -> GateReport.Check {
        let baselineValue = baseline?.values[metric]
        let verdict = { (verdict: GateReport.Verdict, reason: String) in
            GateReport.Check(
                metric: metric, bound: bound, origin: origin, candidate: candidate.flatMap(finite),
                baseline: baselineValue.flatMap(finite), verdict: verdict, reason: reason)
        }
        guard let candidate else {
            return verdict(.fail, "metric '\(metric)' is missing from the metrics file")
        }
        guard candidate.isFinite else {
            return verdict(.fail, "metric '\(metric)' is \(CompactNumber.format(candidate))")
        }
        let value = CompactNumber.format(candidate)
        let limit = CompactNumber.format(bound.limit)
        let isDrop: Bool
        switch bound {
        case .min(let minimum):
            let passes = isAtMost(minimum, candidate, scale: max(abs(minimum), abs(candidate)))
            return verdict(passes ? .pass : .fail, "\(value) \(passes ? "≥" : "<") min \(limit)")
        case .max(let maximum):
            let passes = isAtMost(candidate, maximum, scale: max(abs(maximum), abs(candidate)))
            return verdict(passes ? .pass : .fail, "\(value) \(passes ? "≤" : ">") max \(limit)")
        case .maxDrop, .maxDropPercent:
            isDrop = true
        case .maxIncrease, .maxIncreasePercent:
            isDrop = false
        }

        guard baseline != nil else {
            return requireBaseline
                ? verdict(.fail, "require_baseline is set and there is no baseline")
                : verdict(.noBaseline, "no baseline yet")
        }
        guard let baselineValue, baselineValue.isFinite else {
            let why =
                baselineValue.map { "the baseline's metric '\(metric)' is \(CompactNumber.format($0))" }
                ?? "the baseline has no metric '\(metric)'"
            return requireBaseline ? verdict(.fail, "require_baseline is set and \(why)") : verdict(.noBaseline, why)
        }

        // The limited quantity (the drop or the increase) and how much of it the bound allows,
        // both in the metric's own units.
        let quantity = isDrop ? baselineValue - candidate : candidate - baselineValue
        let allowance = bound.allowance(from: baselineValue)
        let passes = isAtMost(quantity, allowance, scale: max(abs(baselineValue), abs(candidate), abs(allowance)))

        let delta = candidate - baselineValue
        let amount =
            bound.isPercent && baselineValue != 0
            ? CompactNumber.format(abs(delta) / abs(baselineValue) * 100) + "%"
            : CompactNumber.format(abs(delta))
        let change = delta > 0 ? "rose \(amount)" : delta < 0 ? "dropped \(amount)" : "unchanged"
        let rule = "\(bound.key) \(limit)"
        if bound.isPercent && baselineValue == 0 {
            return passes
                ? verdict(.pass, "\(change) from a baseline of 0")
                : verdict(.fail, "\(change) from a baseline of 0; a percentage change is undefined")
        }
        if passes {
            return verdict(.pass, "\(change), within \(rule)")
        }
        return verdict(.fail, quantity > 0 ? "\(change), more than \(rule)" : "\(change), not within \(rule)")
    }

    /// `a ≤ b`, or over by at most ``relativeTolerance`` of `scale`; false when either is NaN.
    private static func isAtMost(_ a: Double, _ b: Double, scale: Double) -> Bool {
        if a <= b {
            return true
        }
        let slack = relativeTolerance * scale
        return slack.isFinite && a - b <= slack
    }

    private static func finite(_ value: Double) -> Double? {
        value.isFinite ? value : nil
    }
}
