import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Gate: judging a candidate's metrics against the rules and the baseline")
struct GateTests {
    /// The single check of a one-bound rule on `metric`.
    private func onlyCheck(
        _ bound: GateRule.Bound, candidate: Double?, baseline: Double?, requireBaseline: Bool = false
    ) -> GateReport.Check {
        let report = Gate.evaluate(
            rules: [GateRule(metric: "m", bounds: [bound])],
            candidate: Metrics(candidate.map { ["m": $0] } ?? [:]),
            baseline: baseline.map { Metrics(["m": $0]) }, requireBaseline: requireBaseline)
        #expect(report.checks.count == 1)
        return report.checks[0]
    }

    @Test(
        "Every bound kind passes and fails with a reason that shows the numbers",
        arguments: [
            (GateRule.Bound.min(0.8), 0.912, 0.91, GateReport.Verdict.pass, "0.912 ≥ min 0.8"),
            (.min(0.8), 0.78, 0.91, .fail, "0.78 < min 0.8"),
            (.max(50), 48, 45, .pass, "48 ≤ max 50"),
            (.max(50), 52, 45, .fail, "52 > max 50"),
            (.maxDrop(0.005), 0.907, 0.91, .pass, "dropped 0.003, within max_drop 0.005"),
            (.maxDrop(0.005), 0.903, 0.91, .fail, "dropped 0.007, more than max_drop 0.005"),
            (.maxDrop(0.005), 0.95, 0.91, .pass, "rose 0.04, within max_drop 0.005"),
            (.maxIncrease(2), 46, 45, .pass, "rose 1, within max_increase 2"),
            (.maxIncrease(2), 48, 45, .fail, "rose 3, more than max_increase 2"),
            (.maxIncrease(2), 45, 45, .pass, "unchanged, within max_increase 2"),
            (.maxDropPercent(5), 0.78, 0.8, .pass, "dropped 2.5%, within max_drop_pct 5"),
            (.maxDropPercent(5), 0.7, 0.8, .fail, "dropped 12.5%, more than max_drop_pct 5"),
            (.maxIncreasePercent(10), 48, 45, .pass, "rose 6.6667%, within max_increase_pct 10"),
            (.maxIncreasePercent(10), 50, 45, .fail, "rose 11.1111%, more than max_increase_pct 10"),
            (.maxIncreasePercent(10), -50, -45, .pass, "dropped 11.1111%, within max_increase_pct 10"),
            (.maxDrop(-0.01), 0.915, 0.91, .fail, "rose 0.005, not within max_drop -0.01"),
        ])
    func boundKinds(
        bound: GateRule.Bound, candidate: Double, baseline: Double, verdict: GateReport.Verdict, reason: String
    ) {
        let check = onlyCheck(bound, candidate: candidate, baseline: baseline)
        #expect(check.verdict == verdict)
        #expect(check.reason == reason)
        #expect(check.candidate == candidate)
        #expect(check.baseline == baseline)
        #expect(check.delta == candidate - baseline)
    }

    @Test(
        "A value exactly at its limit passes",
        arguments: [
            (GateRule.Bound.min(0.8), 0.8, 0.9), (.max(50), 50, 45), (.maxDrop(0.25), 0.5, 0.75),
            (.maxIncrease(2), 47, 45), (.maxDropPercent(10), 45, 50), (.maxIncreasePercent(10), 55, 50),
        ])
    func exactBoundary(bound: GateRule.Bound, candidate: Double, baseline: Double) {
        #expect(onlyCheck(bound, candidate: candidate, baseline: baseline).verdict == .pass)
    }

    @Test(
        "Each check knows the line its candidate had to meet: the limit, or the baseline moved by the allowance",
        arguments: [
            (GateRule.Bound.min(0.8), 0.91 as Double?, 0.8 as Double?),
            (.max(50), 45, 50),
            (.maxDrop(0.01), 0.91, 0.90),
            (.maxIncrease(2), 45, 47),
            (.maxDropPercent(10), 50, 45),
            (.maxIncreasePercent(10), -50, -45),
            (.maxDrop(0.01), nil, nil),
        ])
    func thresholds(bound: GateRule.Bound, baseline: Double?, threshold: Double?) throws {
        let check = onlyCheck(bound, candidate: 0.5, baseline: baseline)
        switch (check.threshold, threshold) {
        case (nil, nil): break
        case (let found?, let expected?): #expect(abs(found - expected) < 1e-9, "\(bound)")
        default: Issue.record("\(bound): threshold \(String(describing: check.threshold)), expected \(String(describing: threshold))")
        }
    }

    @Test("A drop that is the limit in decimal passes despite binary rounding")
    func decimalLimits() {
        #expect(0.9 - 0.895 > 0.005)
        let check = onlyCheck(.maxDrop(0.005), candidate: 0.895, baseline: 0.9)
        #expect(check.verdict == .pass)
        #expect(check.reason == "dropped 0.005, within max_drop 0.005")
        #expect(onlyCheck(.maxIncreasePercent(10), candidate: 0.33, baseline: 0.3).verdict == .pass)
        #expect(onlyCheck(.min(0.8), candidate: 0.7 + 0.1, baseline: nil).verdict == .pass)
        #expect(onlyCheck(.maxDrop(0), candidate: 0.3, baseline: 0.1 + 0.2).verdict == .pass)
    }

    @Test("A value past its limit by more than the tolerance fails")
    func pastTolerance() {
        #expect(onlyCheck(.maxDrop(0.005), candidate: 0.8949999, baseline: 0.9).verdict == .fail)
        #expect(onlyCheck(.min(0.8), candidate: 0.7999999, baseline: nil).verdict == .fail)
        #expect(onlyCheck(.max(0), candidate: 1e-300, baseline: nil).verdict == .fail)
    }

    @Test("On a first run change bounds have no baseline and the gate passes")
    func firstRun() {
        let report = Gate.evaluate(
            rules: [GateRule(metric: "auc", bounds: [.min(0.8), .maxDrop(0.005), .maxDropPercent(1)])],
            candidate: Metrics(["auc": 0.9]), baseline: nil, requireBaseline: false, baselineLabel: "ignored")
        #expect(report.passed)
        #expect(report.baselineLabel == nil)
        #expect(report.checks.map(\.verdict) == [.pass, .noBaseline, .noBaseline])
        #expect(report.checks[1].reason == "no baseline yet")
        #expect(report.checks[1].baseline == nil && report.checks[1].delta == nil)
    }

    @Test("With require_baseline a first run fails its change bounds")
    func requireBaseline() {
        let report = Gate.evaluate(
            rules: [GateRule(metric: "auc", bounds: [.min(0.8), .maxDrop(0.005)])],
            candidate: Metrics(["auc": 0.9]), baseline: nil, requireBaseline: true)
        #expect(!report.passed)
        #expect(report.checks.map(\.verdict) == [.pass, .fail])
        #expect(report.checks[1].reason == "require_baseline is set and there is no baseline")
    }

    @Test("A metric missing from the candidate fails every bound of its rule")
    func missingMetric() {
        let report = Gate.evaluate(
            rules: [
                GateRule(metric: "auc", bounds: [.min(0.8), .maxDrop(0.005)]),
                GateRule(metric: "loss", bounds: [.max(1)]),
            ],
            candidate: Metrics(["loss": 0.5]), baseline: Metrics(["auc": 0.9]), requireBaseline: false)
        #expect(!report.passed)
        #expect(report.checks.map(\.verdict) == [.fail, .fail, .pass])
        #expect(report.checks[0].reason == "metric 'auc' is missing from the metrics file")
        #expect(report.checks[1].reason == "metric 'auc' is missing from the metrics file")
        #expect(report.checks[1].candidate == nil && report.checks[1].baseline == 0.9)
    }

    @Test("A non-finite candidate fails even though reading never lets one in")
    func nonFiniteCandidate() {
        let check = onlyCheck(.max(1), candidate: .nan, baseline: nil)
        #expect(check.verdict == .fail)
        #expect(check.reason == "metric 'm' is NaN")
        #expect(check.candidate == nil)
        #expect(onlyCheck(.maxDrop(1), candidate: .infinity, baseline: 0.5).reason == "metric 'm' is Infinity")
    }

    @Test("A baseline without the metric counts as no baseline for it, or fails when one is required")
    func baselineLacksMetric() {
        let rules = [GateRule(metric: "recall", bounds: [.maxDrop(0.01)])]
        let candidate = Metrics(["recall": 0.7])
        let baseline = Metrics(["auc": 0.9])
        let lenient = Gate.evaluate(rules: rules, candidate: candidate, baseline: baseline, requireBaseline: false)
        #expect(lenient.passed)
        #expect(lenient.checks[0].verdict == .noBaseline)
        #expect(lenient.checks[0].reason == "the baseline has no metric 'recall'")
        #expect(lenient.baselineLabel == "the baseline")
        let strict = Gate.evaluate(rules: rules, candidate: candidate, baseline: baseline, requireBaseline: true)
        #expect(!strict.passed)
        #expect(strict.checks[0].reason == "require_baseline is set and the baseline has no metric 'recall'")
    }

    @Test(
        "A percent bound on a zero baseline allows only no change or a change the other way",
        arguments: [
            (GateRule.Bound.maxDropPercent(5), 0.0, GateReport.Verdict.pass, "unchanged from a baseline of 0"),
            (.maxDropPercent(5), 0.2, .pass, "rose 0.2 from a baseline of 0"),
            (.maxDropPercent(5), -0.2, .fail, "dropped 0.2 from a baseline of 0; a percentage change is undefined"),
            (.maxIncreasePercent(5), 3, .fail, "rose 3 from a baseline of 0; a percentage change is undefined"),
            (.maxIncreasePercent(5), -1, .pass, "dropped 1 from a baseline of 0"),
        ])
    func zeroBaselinePercent(bound: GateRule.Bound, candidate: Double, verdict: GateReport.Verdict, reason: String) {
        let check = onlyCheck(bound, candidate: candidate, baseline: 0)
        #expect(check.verdict == verdict)
        #expect(check.reason == reason)
        #expect(check.deltaPercent == nil)
    }

    @Test("Checks come in spec order, one per bound, and only a failure fails the gate")
    func order() {
        let report = Gate.evaluate(
            rules: [
                GateRule(metric: "b", bounds: [.max(1), .maxIncrease(0.1)]),
                GateRule(metric: "a", bounds: [.min(0)]),
            ],
            candidate: Metrics(["a": 1, "b": 0.5]), baseline: nil, requireBaseline: false)
        #expect(report.checks.map(\.metric) == ["b", "b", "a"])
        #expect(report.checks.map(\.bound) == [.max(1), .maxIncrease(0.1), .min(0)])
        #expect(report.passed)
        #expect(Gate.evaluate(rules: [], candidate: Metrics(), baseline: nil, requireBaseline: true).passed)
    }

    @Test("A report survives a JSON round trip")
    func jsonRoundTrip() throws {
        let report = Gate.evaluate(
            rules: [GateRule(metric: "auc", bounds: [.min(0.8), .maxDropPercent(1)])],
            candidate: Metrics(["auc": 0.9]), baseline: Metrics(["auc": 0.91]), requireBaseline: false,
            baselineLabel: "churn v3 (production)")
        #expect(try JSONDecoder().decode(GateReport.self, from: report.json) == report)
    }
}
