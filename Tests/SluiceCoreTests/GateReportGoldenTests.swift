import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Gate reports: the PR comment and the JSON, against golden files")
struct GateReportGoldenTests {
    private func expectGolden(_ report: GateReport, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        Golden.expect(report.markdown, "\(name).md", sourceLocation: sourceLocation)
        Golden.expect(
            String(decoding: report.json, as: UTF8.self) + "\n", "\(name).json", sourceLocation: sourceLocation)
    }

    private let rules = [
        GateRule(metric: "auc", bounds: [.min(0.80), .maxDrop(0.005)]),
        GateRule(metric: "accuracy", bounds: [.min(0.90)]),
        GateRule(metric: "latency_p95_ms", bounds: [.max(50), .maxIncreasePercent(10)]),
    ]

    @Test("A first run shows no baseline yet and passes")
    func firstRun() {
        let report = Gate.evaluate(
            rules: rules, candidate: Metrics(["auc": 0.912, "accuracy": 0.93, "latency_p95_ms": 41.25]),
            baseline: nil, requireBaseline: false)
        expectGolden(report, "first-run")
    }

    @Test("A passing run shows the baseline, the deltas and no failure list")
    func passing() {
        let report = Gate.evaluate(
            rules: rules, candidate: Metrics(["auc": 0.912, "accuracy": 0.93, "latency_p95_ms": 48]),
            baseline: Metrics(["auc": 0.91, "accuracy": 0.925, "latency_p95_ms": 45]), requireBaseline: false,
            baselineLabel: "churn v3 (production)")
        expectGolden(report, "passing")
    }

    @Test("A failing run with a missing metric lists each failure once")
    func failing() {
        let report = Gate.evaluate(
            rules: rules, candidate: Metrics(["accuracy": 0.88, "latency_p95_ms": 51.5]),
            baseline: Metrics(["auc": 0.91, "accuracy": 0.925, "latency_p95_ms": 45]), requireBaseline: false,
            baselineLabel: "churn v3 (production)")
        expectGolden(report, "failing")
    }

    @Test("Every rule kind, odd metric names and a required baseline render as one table")
    func everyRuleKind() {
        let report = Gate.evaluate(
            rules: [
                GateRule(metric: "auc", bounds: [.min(0.8), .max(0.99), .maxDrop(0.005), .maxDropPercent(1)]),
                GateRule(metric: "err|rate", bounds: [.maxIncrease(0.001), .maxIncreasePercent(5)]),
                GateRule(metric: "`tick`*", bounds: [.max(1e-5)]),
                GateRule(metric: "rows_seen", bounds: [.maxDrop(1000)]),
                GateRule(metric: "cost", bounds: [.maxIncreasePercent(5)]),
                GateRule(metric: "<b>_f1_", bounds: [.min(0.5)]),
            ],
            candidate: Metrics([
                "auc": 0.895, "err|rate": 0.0123, "`tick`*": 0.0000042, "rows_seen": 1_250_000, "cost": 2,
            ]),
            baseline: Metrics(["auc": 0.9, "err|rate": 0.0112, "rows_seen": 1_251_500, "cost": 0]),
            requireBaseline: true, baselineLabel: "churn v12 (staging)")
        expectGolden(report, "every-rule")
    }

    @Test("The server's floor is marked in the table, and rules loosened against the replaced version are listed")
    func floorAndLoosened() {
        let baseline = Metrics(["auc": 0.743, "accuracy": 0.925, "latency_p95_ms": 45])
        let replaced = Gate.evaluate(
            rules: rules, candidate: Metrics(["auc": 0.91, "accuracy": 0.925, "latency_p95_ms": 45]), baseline: nil,
            requireBaseline: true, baselineLabel: nil)
        let candidateRules = [
            GateRule(metric: "auc", bounds: [.min(0.70), .maxDrop(0.005)]),
            GateRule(metric: "latency_p95_ms", bounds: [.max(50), .maxIncreasePercent(25)]),
        ]
        let loosened = GateReport.loosenings(
            of: candidateRules, requireBaseline: false, comparedWith: replaced, replacedLabel: "churn v3 (production)")
        let report = Gate.evaluate(
            rules: candidateRules, floor: [GateRule(metric: "auc", bounds: [.min(0.75)])],
            candidate: Metrics(["auc": 0.74, "accuracy": 0.5, "latency_p95_ms": 47]), baseline: baseline,
            requireBaseline: false, baselineLabel: "churn v3 (production)", loosened: loosened)
        #expect(loosened == [
            "'auc': min relaxed from 0.8 to 0.7 (churn v3 (production) had to pass min 0.8)",
            "'accuracy': min 0.9 was removed (churn v3 (production) had to pass it)",
            "'latency_p95_ms': max_increase_pct relaxed from 10 to 25 (churn v3 (production) had to pass max_increase_pct 10)",
            "require_baseline was turned off (churn v3 (production) required a baseline)",
        ])
        #expect(!report.passed, "the server's floor fails it, though the spec's own rules pass")
        #expect(report.checks.filter { $0.verdict == .fail }.map(\.origin) == [.server])
        expectGolden(report, "floor-and-loosened")
    }
}
