import Foundation
import Git
import SluiceCore
import SluiceTesting
import Testing

/// `sluice approve` killed with SIGKILL in the middle of its write-back, then `sluice apply` or
/// `sluice serve`, which writes what is left approved when it starts.
///
/// The deploy repository's pre-receive hook holds Sluice's push until the test has killed the
/// process, then refuses it (the kill came after the commit, before the push landed) or accepts
/// it (after the push, before the store heard of it). Either way the restart must leave exactly
/// one commit for the promotion on the remote and the promotion applied with that commit.
@Suite("Write-back survives a kill -9")
struct WriteBackCrashTests {
    enum Moment: String, CaseIterable, CustomTestStringConvertible {
        case afterCommitBeforePush = "after the commit, before the push"
        case afterPushBeforeStore = "after the push, before the store update"
        var testDescription: String { rawValue }
    }

    enum Restart: String, CaseIterable, CustomTestStringConvertible {
        case apply = "sluice apply"
        case serve = "sluice serve"
        var testDescription: String { rawValue }
    }

    @Test("After a kill at each moment, a restart lands exactly one commit for the promotion",
          arguments: Moment.allCases, Restart.allCases)
    func killDuringWriteBack(at moment: Moment, restart: Restart) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let scratch = try ScratchDirectory("e2e-write-back")
        let remotes = scratch.path("remotes")
        try FileManager.default.createDirectory(at: remotes, withIntermediateDirectories: true)
        let deploy = try RemoteFixture(named: "deploy", in: remotes)
        try deploy.commit(["README.md": "# deploy\n"])
        try deploy.push()
        let server = try GitHTTPServer(root: remotes, basicAuth: ("deployer", "deploy-secret-99"))
        let model = try RemoteFixture(named: "churn", in: scratch.url)
        let commit = try model.commit([
            ".sluice.yml": """
                version: 1
                model: churn
                steps: { train: python3 train.py }
                artifact: model.json
                environments: [{ name: production, approvals: 1, approvers: [alice] }]
                deploy: { template: kserve, values: { format: sklearn } }
                """
        ])
        try model.push()
        let config = try scratch.write(
            """
            listen: 127.0.0.1:0
            state_dir: state
            public_url: https://sluice.example.com
            projects:
              - name: churn
                forge: github
                repo: \(model.fileURL)
                webhook_secret_env: CHURN_WEBHOOK_SECRET
            deploy:
              repo: \(server.url("deploy.git"))
              token_env: DEPLOY_TOKEN
              username: deployer
            """, to: "sluice.yml")
        let environment = ["CHURN_WEBHOOK_SECRET": "s3cret", "DEPLOY_TOKEN": "deploy-secret-99"]

        let state = scratch.path("state")
        let store = try Store(stateDirectory: state)
        try Mirror(path: state.appendingPathComponent("mirrors/churn.git"), remoteURL: model.fileURL).fetch()
        let run = try await store.startRun(project: "churn", repository: model.fileURL, commit: commit)
        try await store.finishRun(
            run, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(model: "churn", artifactDigest: "sha256:" + String(repeating: "e", count: 64)))
        let version = try await store.register(run, branch: "main")
        let promotion = try await store.requestPromotion(
            of: version, to: .init(name: "production", approvals: 1, approvers: ["alice"]), requestedBy: "sluice",
            author: nil)

        let marks = scratch.path("marks")
        try FileManager.default.createDirectory(at: marks, withIntermediateDirectories: true)
        let hook = deploy.bare.appendingPathComponent("hooks/pre-receive")
        try Data(
            """
            #!/bin/sh
            cat > /dev/null
            touch '\(marks.path)/entered'
            while [ ! -e '\(marks.path)/release' ]; do sleep 0.05; done
            code=$(cat '\(marks.path)/release')
            touch '\(marks.path)/done'
            exit $code
            """.utf8
        ).write(to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        let before = try #require(deploy.remoteCommit("main"))

        let approve = try SluiceProcess(
            ["approve", String(promotion.id.rawValue), "--as", "alice", "--config", config.path], environment: environment)
        try waitUntil("the push reaches the hook", approve) {
            FileManager.default.fileExists(atPath: marks.appendingPathComponent("entered").path)
        }
        approve.kill(SIGKILL)
        _ = approve.waitForExit()
        try Data((moment == .afterPushBeforeStore ? "0" : "1").utf8).write(to: marks.appendingPathComponent("release"))
        try waitUntil("the hook finishes", approve) {
            FileManager.default.fileExists(atPath: marks.appendingPathComponent("done").path)
        }
        if moment == .afterPushBeforeStore {
            try waitUntil("the push lands", approve) { deploy.remoteCommit("main") != before }
        } else {
            #expect(deploy.remoteCommit("main") == before)
        }
        #expect(try await store.promotion(promotion.id).state == .approved)
        try FileManager.default.removeItem(at: hook)
        // Someone else pushes meanwhile, so the remote's tip is no longer Sluice's commit.
        try deploy.git(["pull", "--quiet", "origin", "main"])
        try deploy.commit(["environments/production/fraud.yaml": "theirs\n"], message: "Hand-edit fraud")
        try deploy.push()

        switch restart {
        case .apply:
            let (status, output) = try SluiceProcess.run(["apply", "--config", config.path], environment: environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains("\(promotion.id) (churn v1 to production): applied"))
        case .serve:
            let serve = try SluiceProcess(["serve", "--config", config.path], environment: environment)
            _ = try serve.waitFor(/promotion (\d+) applied/)
            serve.kill(SIGTERM)
            #expect(serve.waitForExit() == 0, "\(serve.text)")
        }
        let identity = "\(promotion.id.rawValue)@\(store.installationID)"
        let carrying = try GitCLI.run(
            ["log", "--format=%H %(trailers:key=Sluice-Promotion,valueonly,separator=)", "main"], in: deploy.bare
        ).split(separator: "\n").filter { $0.hasSuffix(" " + identity) }.map { String($0.prefix(40)) }
        #expect(carrying.count == 1)
        #expect(try GitCLI.run(["rev-list", "--count", "main"], in: deploy.bare) == "3")
        #expect(try GitCLI.run(["show", "main:environments/production/fraud.yaml"], in: deploy.bare) == "theirs")
        let applied = try await store.promotion(promotion.id)
        #expect(applied.state == .applied)
        #expect(applied.deployCommit == carrying.first)
        #expect(try await store.version(of: "churn", in: "production") == version.number)
        withExtendedLifetime(server) {}
    }

    private func waitUntil(
        _ what: String, _ process: SluiceProcess, within timeout: Duration = .seconds(30), _ condition: () -> Bool
    ) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw SluiceProcess.Failure(message: "timed out waiting until \(what); sluice said:\n\(process.text)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}
