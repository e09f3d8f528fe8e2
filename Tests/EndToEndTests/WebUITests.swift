import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

/// The web UI in a real browser (Debian's chromium, headless) against `sluice serve`.
@Suite("The web UI in a headless browser")
struct WebUITests {
    static let tokens = "alice:release-manager:ui-alice-token-4242,victor:viewer:ui-victor-token-1717"

    @Test("Sign in as a viewer (sees, cannot approve), then as a release manager who clicks Approve: the deploy repo gets the manifest")
    func approveInBrowser() async throws {
        guard HeadlessBrowser.isAvailable else {
            print("skipped: \(HeadlessBrowser.executable) is not installed (make bootstrap installs chromium)")
            return
        }
        let fixture = try await DeployFixture("e2e-web-ui")
        let serve = try SluiceProcess(
            ["serve", "--config", fixture.config.path],
            environment: fixture.environment.merging(["SLUICE_API_TOKENS": Self.tokens]) { $1 })
        let base = try serve.waitFor(/listening on (http:\/\/[0-9.:]+)/)
        let browser = try HeadlessBrowser()

        try browser.open(base + "/approvals")
        try browser.waitUntil("location.pathname === '/sign-in'")
        try signIn(browser, token: "ui-victor-token-1717")
        #expect(try browser.text().contains("victor (viewer)"))
        #expect(try browser.evaluate("document.cookie") == "\"\"", "the session cookie is HttpOnly")
        try browser.open(base + "/approvals")
        try browser.waitUntil("document.querySelector('table.approvals') !== null")
        #expect(try browser.text().contains("churn v1"))
        #expect(try browser.evaluate("document.querySelector('button[value=approve]') === null") == "true")
        #expect(try browser.text().contains("approving needs the release-manager or admin role"))
        try browser.evaluate("document.querySelector('form[action=\"/sign-out\"] button').click()")
        try browser.waitUntil("location.pathname === '/sign-in'")

        try signIn(browser, token: "ui-alice-token-4242")
        try browser.open(base + "/approvals")
        try browser.waitUntil("document.querySelector('button[value=approve]') !== null")
        try browser.evaluate("document.querySelector('button[value=approve]').click()")
        try browser.waitUntil("document.querySelector('.notice') !== null")
        let notice = try browser.evaluate("document.querySelector('.notice').innerText")
        #expect(notice.contains("\(fixture.promotion.id) (churn v1 to production): applied, deploy commit"))
        #expect(try fixture.commitsCarryingThePromotion().count == 1)
        #expect(try fixture.deploy.git(["show", "main:environments/production/churn.yaml"]).contains("churn-production"))
        let approvals = try await fixture.store.promotion(fixture.promotion.id).approvals
        #expect(approvals.map(\.approver) == ["alice"])

        try browser.open(base + "/models/churn")
        try browser.waitUntil("document.querySelector('table.versions') !== null")
        #expect(try browser.text().contains("production: v1"))
        try browser.open(base + "/audit")
        try browser.waitUntil("document.querySelector('table.audit') !== null")
        #expect(try browser.text().contains("promotion.applied"))
        serve.kill(SIGTERM)
        #expect(serve.waitForExit() == 0)
    }

    @Test("The model page's chart shows one point per version, in a real browser, with the gate's line drawn")
    func chartInBrowser() async throws {
        guard HeadlessBrowser.isAvailable else {
            print("skipped: \(HeadlessBrowser.executable) is not installed (make bootstrap installs chromium)")
            return
        }
        let fixture = try RegistryFixture("e2e-web-chart")
        let rules = [GateRule(metric: "auc", bounds: [.min(0.9), .maxDrop(0.02)])]
        var baseline: Metrics?
        for (index, auc) in [0.93, 0.95, 0.94, 0.96].enumerated() {
            let metrics = Metrics(["auc": auc, "accuracy": auc - 0.05])
            let report = Gate.evaluate(rules: rules, candidate: metrics, baseline: baseline, requireBaseline: false)
            let run = try await fixture.store.startRun(project: "churn", repository: "repo", commit: "c\(index)")
            try await fixture.store.finishRun(
                run, state: .passed, reason: "gate passed",
                conclusion: Run.Conclusion(
                    model: "churn", metrics: metrics, gateReport: report, artifactDigest: Digest.repeating("a")))
            _ = try await fixture.store.register(run, branch: "main")
            baseline = metrics
        }
        let server = try fixture.serve()
        let browser = try HeadlessBrowser()
        try browser.open(server.base + "/models/churn")
        try signIn(browser, token: "tok-victor-8086")
        try browser.open(server.base + "/models/churn")
        try browser.waitUntil("document.querySelector('figure#metric-auc svg') !== null")
        let points = try browser.evaluate(
            "[...document.querySelectorAll('figure#metric-auc circle.point')].map(c => c.dataset.version)")
        #expect(try JSONDecoder().decode([String].self, from: Data(points.utf8)) == ["1", "2", "3", "4"])
        #expect(try browser.evaluate("document.querySelectorAll('figure#metric-accuracy circle.point').length") == "4")
        // Drawn, not just present: the points climb and fall with auc, and the min line is below them all.
        let heights = try browser.evaluate(
            "[...document.querySelectorAll('figure#metric-auc circle.point')].map(c => Math.round(c.getBoundingClientRect().top))")
        let tops = try JSONDecoder().decode([Int].self, from: Data(heights.utf8))
        #expect(tops.count == 4 && tops[1] < tops[0] && tops[2] > tops[1] && tops[3] < tops[2], "\(tops)")
        let line = try browser.evaluate(
            "Math.round(document.querySelector('figure#metric-auc polyline.limit').getBoundingClientRect().top)")
        #expect((Int(line) ?? 0) > (tops.max() ?? .max), "min 0.9 is drawn below every point")
        #expect(try browser.evaluate("document.querySelector('figure#metric-auc svg').getBoundingClientRect().width > 300") == "true")
        #expect(server.stop() == 0)
    }

    private func signIn(_ browser: HeadlessBrowser, token: String) throws {
        try browser.waitUntil("document.querySelector('input[name=token]') !== null")
        try browser.evaluate(
            "document.querySelector('input[name=token]').value = '\(token)'; document.querySelector('form.sign-in').submit()")
        try browser.waitUntil("location.pathname === '/runs'")
    }
}
