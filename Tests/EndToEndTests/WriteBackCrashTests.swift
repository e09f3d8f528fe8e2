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
        let fixture = try await DeployFixture("e2e-write-back")
        let (scratch, deploy, store, promotion) = (fixture.scratch, fixture.deploy.fixture, fixture.store, fixture.promotion)
        let (config, environment) = (fixture.config, fixture.environment)

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
        try await approve.waitUntil("the push reaches the hook") {
            FileManager.default.fileExists(atPath: marks.appendingPathComponent("entered").path)
        }
        approve.kill(SIGKILL)
        _ = approve.waitForExit()
        try Data((moment == .afterPushBeforeStore ? "0" : "1").utf8).write(to: marks.appendingPathComponent("release"))
        try await approve.waitUntil("the hook finishes") {
            FileManager.default.fileExists(atPath: marks.appendingPathComponent("done").path)
        }
        if moment == .afterPushBeforeStore {
            try await approve.waitUntil("the push lands") { deploy.remoteCommit("main") != before }
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
        let carrying = try fixture.commitsCarryingThePromotion()
        #expect(carrying.count == 1)
        #expect(try GitCLI.run(["rev-list", "--count", "main"], in: deploy.bare) == "3")
        #expect(try GitCLI.run(["show", "main:environments/production/fraud.yaml"], in: deploy.bare) == "theirs")
        let applied = try await store.promotion(promotion.id)
        #expect(applied.state == .applied)
        #expect(applied.deployCommit == carrying.first)
        #expect(try await store.version(of: "churn", in: "production") == fixture.version.number)
    }
}
