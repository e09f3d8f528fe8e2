import Foundation
@testable import Git
@testable import SluiceCore
import SluiceTesting
import Testing

/// `sluice serve` killed with SIGKILL in the middle of the write-back of a `sluice approve`, then
/// started again, which writes what is left approved when it starts, alone or racing a
/// `sluice apply`.
///
/// The deploy repository's pre-receive hook holds Sluice's push until the test has killed the
/// server, then refuses it (the kill came after the commit, before the push landed) or accepts
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
        case serve = "sluice serve"
        case serveAndApply = "sluice serve racing sluice apply"
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

        let first = try RunningServer(config: config, environment: environment)
        let approve = try SluiceProcess(["approve", String(promotion.id.rawValue)], environment: first.client(token: "tok-alice-5150"))
        try await approve.waitUntil("the push reaches the hook") {
            FileManager.default.fileExists(atPath: marks.appendingPathComponent("entered").path)
        }
        first.process.kill(SIGKILL)
        _ = first.process.waitForExit()
        #expect(approve.waitForExit() == 1, "the approval's answer never came: \(approve.text)")
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

        let second = try RunningServer(config: config, environment: environment)
        if restart == .serveAndApply {
            let (status, output) = try SluiceProcess.run(["apply"], environment: second.client(token: "tok-alice-5150"))
            #expect(status == 0, "\(output)")
            // Whichever of the two wrote it, the other found it landed.
            #expect(
                output.contains("\(promotion.id) (churn v1 to production): applied")
                    || output.contains("No approved promotions wait to be written."), "\(output)")
        }
        try await second.process.waitUntil("the promotion is applied") {
            try await store.promotion(promotion.id).state == .applied
        }
        let (status, output) = try SluiceProcess.run(["apply"], environment: second.client(token: "tok-alice-5150"))
        #expect(status == 0 && output.contains("No approved promotions wait to be written."), "\(output)")
        #expect(second.stop() == 0, "\(second.process.text)")
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
