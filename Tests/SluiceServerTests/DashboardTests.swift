import Foundation
@testable import SluiceCore
import HummingbirdTesting
import Testing

@Suite("The Grafana dashboard in templates/grafana")
struct DashboardTests {
    static let dashboard = ServerHarness.templates
        .appendingPathComponent("grafana/sluice.json")

    /// Every `sluice_...` name in the panels' queries, without the `_bucket` a histogram query adds.
    static func metricNames(in expressions: [String]) -> Set<String> {
        var names = Set<String>()
        for expression in expressions {
            for match in expression.matches(of: /sluice_[a-z_]+/) {
                var name = String(match.output)
                if name.hasSuffix("_bucket") { name.removeLast("_bucket".count) }
                names.insert(name)
            }
        }
        return names
    }

    @Test("Every panel queries a metric the server exposes, so the dashboard cannot drift from /metrics")
    func queriesExposedMetrics() async throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dashboard)) as? [String: Any]
        let panels = try #require(object?["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= panels.count)
        let used = Self.metricNames(in: expressions)
        #expect(used.count >= 5)

        let harness = try await ServerHarness()
        // A finished step too, so the step-duration histogram has a series.
        let run = try await harness.store.startRun(project: "churn", repository: "r", commit: "c1")
        try await harness.store.startStep(run, name: "train", command: "python3 train.py")
        try await harness.store.finishStep(
            run, name: "train",
            result: StepResult(termination: .exited(0), startedAt: Date(), endedAt: Date().addingTimeInterval(2), logBytes: 0, truncated: false))
        try await harness.run { client in
            // A delivery and a request first, so the counters and the histogram have series.
            _ = try await ServerHarness.gitHub(client, delivery: "d-1", body: ServerHarness.pushBody())
            let exposition = try await client.execute(uri: "/metrics", method: .get).text
            let exposed = Set(
                exposition.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
                    .map { String($0.split(separator: " ")[2]) })
            #expect(used.subtracting(exposed).isEmpty, "not exposed: \(used.subtracting(exposed).sorted())")
            #expect(exposition.contains(#"sluice_step_duration_seconds_count{step="train"} 1"#))
            #expect(exposition.contains(#"sluice_gate_verdicts{verdict="fail"} 0"#))
        }
    }
}
