import Foundation
import Hummingbird
import HummingbirdTesting
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("The model page's charts and the run page's order and links, on a live server")
struct ModelPageTests {
    static let rules = [
        GateRule(metric: "auc", bounds: [.min(0.9), .maxDrop(0.02)]),
        GateRule(metric: "loss", bounds: [.max(0.5)]),
    ]

    /// Registers a passed run of churn with `metrics`, gated against the previous version's.
    @discardableResult
    static func register(
        _ store: Store, commit: String, metrics: [String: Double], baseline: [String: Double]?,
        provenance: ModelVersion.Provenance = .init()
    ) async throws -> ModelVersion {
        let report = Gate.evaluate(
            rules: rules, candidate: Metrics(metrics), baseline: baseline.map(Metrics.init), requireBaseline: false)
        let run = try await store.startRun(project: "churn", repository: "repo", commit: commit)
        try await store.finishRun(
            run, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(
                model: "churn", metrics: Metrics(metrics), gateReport: report,
                artifactDigest: Digest.repeating("a")))
        return try await store.register(run, branch: "main", provenance: provenance)
    }

    /// The markup of the chart figure `anchor` on `html`.
    static func figure(_ anchor: String, in html: String) throws -> Substring {
        let start = try #require(html.range(of: "id=\"\(anchor)\""), "no chart \(anchor)")
        let end = try #require(html[start.upperBound...].range(of: "</figure>"))
        return html[start.lowerBound..<end.lowerBound]
    }

    @Test("Each metric is a chart with one point per version, the gate's lines through each version's threshold, and the held version marked")
    func charts() async throws {
        let harness = try await ServerHarness()
        let store = harness.store
        let ledger = harness.ledger
        let values: [[String: Double]] = [["auc": 0.95, "loss": 0.30], ["auc": 0.97, "loss": 0.25], ["auc": 0.96, "loss": 0.27]]
        var previous: [String: Double]?
        for (index, metrics) in values.enumerated() {
            try await Self.register(store, commit: "c\(index)", metrics: metrics, baseline: previous)
            previous = metrics
        }
        _ = try await ledger.moveEnvironment("production", of: "churn", to: ModelVersion.Number(2), actor: "alice", reason: "approved")
        try await harness.run { client in
            let response = try await client.execute(uri: "/models/churn", method: .get)
            #expect(response.status == .ok)
            let html = String(buffer: response.body)
            let auc = try Self.figure("metric-auc", in: html)
            #expect(auc.matches(of: /<circle class="point/).count == 3)
            #expect(auc.contains(#"<circle class="point held" data-version="2""#))
            #expect(auc.matches(of: /data-version="\d"/).map { String($0.output) }
                == [#"data-version="1""#, #"data-version="2""#, #"data-version="3""#])
            // min 0.9 holds for all three versions; max_drop starts at v2, the first with a baseline.
            let lines = auc.matches(of: /<polyline class="limit limit-(\d)" points="([^"]*)"/)
                .map { (String($0.output.1), $0.output.2.split(separator: " ").count) }
            #expect(lines.map(\.0) == ["0", "1"])
            #expect(lines.map(\.1) == [3, 2])
            #expect(auc.contains("min 0.9</text>") && auc.contains("max_drop 0.02 from each baseline</text>"))
            #expect(auc.contains("v3 = 0.96; gate min 0.9: 0.9, max_drop 0.02: 0.95"), "v3's floor is v2's 0.97 less 0.02")
            #expect(auc.contains("v2 = 0.97 (production)"))
            let loss = try Self.figure("metric-loss", in: html)
            #expect(loss.matches(of: /<circle class="point/).count == 3)
            #expect(html.range(of: "metric-auc")!.lowerBound < html.range(of: "metric-loss")!.lowerBound, "gated metrics in rule order")
            #expect(!html.contains("<script"), "the charts need no script")
        }
    }

    @Test("A metric name from a pushed metrics file cannot put markup or script into the model page")
    func hostileMetricName() async throws {
        let harness = try await ServerHarness()
        let hostile = #""><script>alert(1)</script><svg onload="x"#
        try await Self.register(harness.store, commit: "c1", metrics: ["auc": 0.95, hostile: 1], baseline: nil)
        try await harness.run { client in
            let html = String(buffer: try await client.execute(uri: "/models/churn", method: .get).body)
            #expect(!html.contains("<script>alert"))
            #expect(!html.contains("<svg onload"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test("A failed gate comes first on its run's page; a registered run links its version, its promotions and its pull request")
    func runPage() async throws {
        let harness = try await ServerHarness()
        let store = harness.store
        let ledger = harness.ledger
        let failing = Gate.evaluate(
            rules: Self.rules, candidate: Metrics(["auc": 0.8, "loss": 0.2]), baseline: nil, requireBaseline: false)
        let failed = try await store.startRun(project: "churn", repository: "repo", commit: "bad")
        try await store.finishRun(
            failed, state: .gateFailed, reason: "gate failed: auc 0.8 < min 0.9",
            conclusion: Run.Conclusion(model: "churn", gateReport: failing))
        let version = try await Self.register(
            store, commit: "good", metrics: ["auc": 0.95, "loss": 0.3], baseline: nil,
            provenance: .init(broughtBy: ["dave"], pullRequest: 12))
        let promotion = try await ledger.requestPromotion(
            of: version, to: EnvironmentPolicy(name: "production", approvals: 1, approvers: ["alice"]), requestedBy: "sluice")
        try await harness.run { client in
            let bad = String(buffer: try await client.execute(uri: "/runs/\(failed.rawValue)", method: .get).body)
            let gate = try #require(bad.range(of: "<h2>Gate</h2>"))
            let steps = try #require(bad.range(of: "<h2>Steps</h2>"))
            #expect(gate.lowerBound < steps.lowerBound)
            #expect(bad.contains("auc: 0.8 &lt; min 0.9"))
            #expect(!bad.contains("<dt>Registered</dt>"))

            let good = String(buffer: try await client.execute(uri: "/runs/\(version.run.id.rawValue)", method: .get).body)
            #expect(try #require(good.range(of: "<h2>Steps</h2>")).lowerBound < #require(good.range(of: "<h2>Gate</h2>")).lowerBound)
            #expect(good.contains(#"<a href="/models/churn">churn v1</a>"#))
            #expect(good.contains(#"<a href="https://github.com/acme/churn/pull/12">#12</a>"#))
            #expect(good.contains("<td>\(promotion.id.rawValue)</td><td>production</td>"))
            #expect(good.contains(#"pending_approval</span> · <a href="/approvals">approvals</a>"#))
        }
    }
}
