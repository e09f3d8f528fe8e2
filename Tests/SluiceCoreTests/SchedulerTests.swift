import Foundation
@testable import Git
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite("Scheduler: triggers become runs, versions, promotions and reports", .serialized)
struct SchedulerTests {
    @Test("A push to the release branch is run, registered, promoted to staging, and reported pending then success")
    func releasePush() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge)
            let commit = try await fixture.push([".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9)])
            let runs = try await fixture.finishedRuns(1)
            #expect(runs.map(\.state) == [.passed], "\(runs.map(\.reason))")
            #expect(runs[0].commit == commit)
            try await fixture.eventually("production waits for approval") {
                try await fixture.store.promotions().contains { $0.environment == "production" && $0.state == .pendingApproval }
            }
            #expect(try await fixture.store.versions(of: "churn").map(\.number.rawValue) == [1])
            #expect(try await fixture.store.version(of: "churn", in: "staging") == ModelVersion.Number(1))
            #expect(try fixture.deploy.git(["show", "main:environments/staging/churn.yaml"]).contains("churn"))
            try await fixture.eventually("the final status is posted") { forge.statuses(of: commit).count == 2 }
            let statuses = forge.statuses(of: commit)
            #expect(statuses.map(\.state) == ["pending", "success"])
            #expect(statuses.allSatisfy { $0.context == "sluice/gate" })
            #expect(statuses[1].targetURL == "https://sluice.example.com/runs/\(runs[0].id.rawValue)")
            #expect(statuses[1].description == "run \(runs[0].id.rawValue): gate passed")
            #expect(forge.comments.isEmpty)
            try await fixture.shutDown()
        }
    }

    @Test("A push when release_branch is not a branch of the repository gates only, and its outcome says how to fix it")
    func missingReleaseBranch() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge)
            let commit = try fixture.model.commit([".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9)])
            try fixture.model.git(["push", "--quiet", "origin", "HEAD:refs/heads/master"])
            let trigger = try await fixture.deliver(
                .push(
                    Push(
                        project: "churn", ref: "refs/heads/master", refKind: .branch, before: Push.zeroCommit, after: commit,
                        created: true, deleted: false, forced: false, pusher: "dana")))
            let runs = try await fixture.finishedRuns(1)
            #expect(runs.map(\.state) == [.passed], "\(runs.map(\.reason))")
            try await fixture.eventually("the trigger ends") { try await fixture.store.triggerState(trigger)?.state == "done" }
            let outcome = try await fixture.store.triggerState(trigger)?.outcome
            #expect(
                outcome?.contains(
                    "release_branch 'main' is not a branch of this repository (its branches: master), so runs only gate") == true,
                "\(outcome ?? "")")
            #expect(try await fixture.store.versions(of: "churn").isEmpty)
            try await fixture.shutDown()
        }
    }

    @Test("A pull request is gated and commented but never registered; its next head edits the same comment")
    func pullRequestComment() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge)
            try fixture.model.git(["checkout", "-q", "-b", "better-features"])
            let first = try fixture.model.commit([".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9)])
            try fixture.model.push("better-features")
            try await fixture.deliver(SchedulerFixture.pullRequest(7, head: first, branch: "better-features"))
            _ = try await fixture.finishedRuns(1)
            try await fixture.eventually("the comment is posted") { forge.comments.count == 1 }
            #expect(forge.comments[0].pullRequest == 7)
            #expect(forge.comments[0].body.contains("<!-- sluice:pull-request=churn#7 -->"))
            #expect(forge.comments[0].body.contains("✅ Gate passed"))

            let second = try fixture.model.commit(["train.sh": SchedulerFixture.train(auc: 0.7)])
            try fixture.model.push("better-features")
            try await fixture.deliver(SchedulerFixture.pullRequest(7, head: second, branch: "better-features", action: .synchronized))
            let runs = try await fixture.finishedRuns(2)
            #expect(runs.map(\.state) == [.passed, .gateFailed])
            try await fixture.eventually("the comment is edited") { forge.comments.first?.body.contains("❌ Gate failed") == true }
            #expect(forge.comments.count == 1)
            #expect(forge.comments[0].body.contains("`auc`"))
            try await fixture.eventually("the failure status is posted") { forge.statuses(of: second).last?.state == "failure" }
            #expect(try await fixture.store.versions(of: "churn").isEmpty)
            #expect(try await fixture.store.promotions(all: true).isEmpty)
            try await fixture.shutDown()
        }
    }

    @Test("Three pushes in quick succession to one branch: one run finishes, two are superseded, no step process is left")
    func supersede() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge, maxParallel: 1)
            try await fixture.push([".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9, sleep: 3141)])
            try await fixture.eventually("the first run is training") { !SchedulerFixture.sleepingTrainers().isEmpty }
            try await fixture.push(["train.sh": SchedulerFixture.train(auc: 0.91, sleep: 3141)])
            let last = try await fixture.push(["train.sh": SchedulerFixture.train(auc: 0.92)])
            try await fixture.eventually("the last push's run has passed") {
                try await fixture.runs().contains { $0.commit == last && $0.state == .passed }
            }
            let runs = try await fixture.runs()
            #expect(runs.filter { $0.state == .passed }.count == 1)
            #expect(runs.allSatisfy { $0.state == .passed || $0.state == .superseded }, "\(runs.map(\.state))")
            #expect(runs.first?.reason?.hasPrefix("superseded by trigger") == true)
            var superseded = 0
            for id: Int64 in 1...3 where try await fixture.store.triggerState(id)?.state == "superseded" { superseded += 1 }
            #expect(superseded == 2)
            #expect(SchedulerFixture.sleepingTrainers().isEmpty)
            try await fixture.shutDown()
        }
    }

    @Test("At most executor.max_parallel runs go at once; the rest wait queued")
    func maxParallel() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge, shutdownGrace: .seconds(1), maxParallel: 2)
            try fixture.model.commit([".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9, sleep: 3141)])
            try fixture.model.push()
            // Three branches are three lanes, so none supersedes another.
            for branch in ["a", "b", "c"] {
                try fixture.model.git(["checkout", "-q", "-B", branch, "main"])
                try await fixture.push(["branch.txt": branch], branch: branch)
            }
            try await fixture.eventually("two runs are training") { SchedulerFixture.sleepingTrainers().count == 2 }
            // Watch for a second (twenty scheduler ticks here): the third never starts while two run.
            let watchUntil = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < watchUntil {
                #expect(SchedulerFixture.sleepingTrainers().count <= 2)
                #expect(try await fixture.runs().filter { $0.state == .running }.count <= 2)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await fixture.store.runnableTriggers(limit: 10).count == 1)
            try await fixture.shutDown()
            #expect(SchedulerFixture.sleepingTrainers().isEmpty)
        }
    }

    @Test("A fork's pull request waits for a maintainer's /sluice run, then runs without the project's step secrets")
    func forkPullRequest() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge, sandbox: .auto)
            try fixture.model.commit([".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9)])
            try fixture.model.push()
            // GitHub publishes a fork's head in the base repository as refs/pull/N/head.
            let head = try fixture.model.commit(["train.sh": SchedulerFixture.train(auc: 0.95)])
            try fixture.model.git(["push", "-q", "origin", "HEAD:refs/pull/9/head"])
            try await fixture.deliver(SchedulerFixture.pullRequest(9, head: head, branch: "patch-1", fork: true))
            try await fixture.eventually("the waiting status is posted") { forge.statuses(of: head).count == 1 }
            #expect(forge.statuses(of: head)[0].state == "pending")
            #expect(forge.statuses(of: head)[0].description.contains("/sluice run"))
            #expect(try await fixture.runs().isEmpty)

            try await fixture.deliver(
                .command(CommentCommand(project: "churn", number: 9, verb: .run, environment: nil, commenter: "erin", authorAssociation: "CONTRIBUTOR")))
            try await fixture.eventually("the outsider's command is refused") {
                try await fixture.store.auditEntries(limit: 100).contains { $0.action == "command.refused" && $0.actor == "erin" }
            }
            #expect(try await fixture.runs().isEmpty)

            try await fixture.deliver(
                .command(CommentCommand(project: "churn", number: 9, verb: .run, environment: nil, commenter: "maria", authorAssociation: "MEMBER")))
            let runs = try await fixture.finishedRuns(1)
            #expect(runs.map(\.state) == [.passed], "\(runs.map(\.reason))")
            #expect(runs[0].commit == head)
            let secret = RunDirectory(stateDirectory: fixture.config.stateDirectory, run: runs[0].id).output
                .appending(path: "secret.txt")
            #expect(try String(contentsOf: secret, encoding: .utf8) == "absent\n")
            #expect(try await fixture.store.versions(of: "churn").isEmpty)
            try await fixture.eventually("the gate comment is posted") {
                forge.comments.contains { $0.body.contains(RunReporter.marker(project: "churn", pullRequest: 9)) }
            }
            // Each command got its answer on the pull request, the refusal saying why.
            let answers = forge.comments.filter { !$0.body.contains("sluice:pull-request") }.map(\.body)
            #expect(answers.count == 2)
            #expect(answers.first?.contains("by erin: ❌ refused: erin is not a maintainer of churn") == true)
            #expect(answers.last?.contains("by maria: ▶️ running the gate on `\(head.prefix(12))` in the sandbox, without network or the project's secrets") == true)

            // An engineer cannot run the fork's head as trusted code: it is on no branch.
            let manual = try await fixture.deliver(.manual(ManualRun(project: "churn", revision: head, requestedBy: "erin")))
            try await fixture.eventually("the engineer's run is refused") {
                try await fixture.store.triggerState(manual)?.state == "failed"
            }
            #expect(try await fixture.store.triggerState(manual)?.outcome?.contains("is on no branch of churn (a fork's pull request?)") == true)
            #expect(try await fixture.runs().count == 1)

            // The fork's run is no cache entry for trusted code: the same commit on main trains again.
            let before = try #require(fixture.model.remoteCommit("refs/heads/main"))
            try fixture.model.push()
            try await fixture.deliver(
                .push(
                    Push(
                        project: "churn", ref: "refs/heads/main", refKind: .branch, before: before, after: head, created: false,
                        deleted: false, forced: false, pusher: "maria")))
            let both = try await fixture.finishedRuns(2)
            #expect(both[1].commit == head && both[1].state == .passed, "\(both[1].reason ?? "")")
            #expect(both[1].conclusion.cachedFrom == nil)
            #expect(both[1].conclusion.cacheKey != runs[0].conclusion.cacheKey)
            let trustedSecret = RunDirectory(stateDirectory: fixture.config.stateDirectory, run: both[1].id).output
                .appending(path: "secret.txt")
            #expect(try String(contentsOf: trustedSecret, encoding: .utf8) == "hf-step-secret-55\n")
            try await fixture.shutDown()
        }
    }

    @Test("A data arrival retrains the release branch with the new data, and a firing alert retrains it again")
    func dataAndAlert() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge)
            let original = try fixture.deploy.scratch.write("a,b\n1,2\n", to: "data/v1.csv")
            let data = "  data:\n    - name: transactions\n      uri: file://\(original.path)\n"
            try await fixture.push([
                ".sluice.yml": SchedulerFixture.spec(data: data),
                "train.sh": "wc -l < \"$SLUICE_DATA_TRANSACTIONS\"\n" + SchedulerFixture.train(auc: 0.9),
            ])
            _ = try await fixture.finishedRuns(1)

            let arrived = try fixture.deploy.scratch.write("a,b\n1,2\n3,4\n", to: "data/v2.csv")
            let digest = try ArtifactDigest.sha256(ofFile: arrived)
            try await fixture.deliver(
                .dataArrival(
                    DataArrival(source: "lake", dataset: "transactions", uri: "file://\(arrived.path)", version: "2", sha256: digest, size: 12)))
            var runs = try await fixture.finishedRuns(2)
            #expect(runs[1].state == .passed, "\(runs[1].reason ?? "")")
            #expect(runs[1].conclusion.dataVersions["transactions"] == digest)

            try await fixture.deliver(
                .alert(Alert(project: "churn", model: "churn", environment: "production", name: "ChurnDrift", fingerprint: "f1", startsAt: "2026-12-01T09:00:00Z")))
            runs = try await fixture.finishedRuns(3)
            #expect(runs[2].state == .passed, "\(runs[2].reason ?? "")")
            #expect(runs[2].conclusion.cachedFrom == nil)
            try await fixture.eventually("three versions are registered") {
                try await fixture.store.versions(of: "churn").count == 3
            }
            try await fixture.shutDown()
        }
    }

    @Test("Shutdown lets a running step finish within the grace period")
    func shutdownWithinGrace() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge)
            try await fixture.push([".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9, sleep: 2)])
            try await fixture.eventually("the run is training") {
                try await fixture.store.steps(of: Run.ID(1)).first?.name == "train"
            }
            try await fixture.shutDown()
            #expect(try await fixture.runs().map(\.state) == [.passed])
            #expect(try await fixture.store.triggerState(1)?.state == "done")
        }
    }

    @Test("Shutdown stops a step that outlives the grace period and leaves its trigger queued for the next start")
    func shutdownPastGrace() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge, shutdownGrace: .seconds(1))
            try await fixture.push([".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9, sleep: 3141)])
            try await fixture.eventually("the run is training") { !SchedulerFixture.sleepingTrainers().isEmpty }
            try await fixture.shutDown()
            let runs = try await fixture.runs()
            #expect(runs.map(\.state) == [.cancelled])
            #expect(runs[0].reason?.contains("shut down") == true)
            #expect(try await fixture.store.triggerState(1)?.state == "queued")
            #expect(SchedulerFixture.sleepingTrainers().isEmpty)
        }
    }

    /// Trigger 1 (a push of a training that passes) as a replica left it that died after its run
    /// passed and, if `registered`, after it registered the run: running, its lease about to run out.
    static func interruptedAttempt(_ fixture: SchedulerFixture, registered: Bool) async throws -> Run.ID {
        let commit = try await fixture.push([".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9)])
        let claim = try #require(try await fixture.store.claimTriggers([1], leaseExpiry: Date().addingTimeInterval(1)).first)
        let run = try await fixture.store.startRun(
            project: "churn", repository: fixture.config.projects[0].repo, commit: commit, branch: "main", claim: claim)
        try await fixture.store.finishRun(
            run, claim: claim, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(model: "churn", artifactDigest: Digest.repeating("d")))
        if registered {
            _ = try await fixture.store.register(run, branch: "main", claim: claim)
        }
        try await Task.sleep(for: .milliseconds(1100))
        return run
    }

    @Test("A trigger taken over after its run passed but before it was registered trains again and registers once")
    func takenOverBeforeRegistration() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge, startsScheduler: false)
            let interrupted = try await Self.interruptedAttempt(fixture, registered: false)
            fixture.startScheduler()
            try await fixture.eventually("the trigger is done") { try await fixture.store.triggerState(1)?.state == "done" }
            try await fixture.shutDown()
            let runs = try await fixture.runs()
            #expect(runs.map(\.state) == [.passed, .passed], "\(runs.map(\.reason))")
            #expect(try await fixture.store.versions(of: "churn").map(\.run.id) == [runs[1].id])
            #expect(runs[1].id != interrupted)
        }
    }

    @Test("A trigger taken over after its run was registered is not trained again: its version is promoted and reported once")
    func takenOverAfterRegistration() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge, startsScheduler: false)
            let interrupted = try await Self.interruptedAttempt(fixture, registered: true)
            fixture.startScheduler()
            try await fixture.eventually("the trigger is done") { try await fixture.store.triggerState(1)?.state == "done" }
            try await fixture.shutDown()
            #expect(try await fixture.runs().map(\.id) == [interrupted])
            #expect(try await fixture.store.versions(of: "churn").map(\.run.id) == [interrupted])
            let outcome = try await fixture.store.triggerState(1)?.outcome ?? ""
            #expect(outcome.contains("registered churn v1 by an interrupted attempt"), "\(outcome)")
            let promotions = try await fixture.store.promotions(of: "churn", version: ModelVersion.Number(1))
            #expect(promotions.map(\.environment).sorted() == ["production", "staging"])
            let commit = try #require(try await fixture.runs().first?.commit)
            #expect(forge.statuses(of: commit).map(\.state) == ["success"])
        }
    }

    @Test("A scheduler whose trigger another replica took over stops the step within a renewal and records nothing more of it")
    func claimTakenOver() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try await SchedulerFixture(apiURL: apiURL, forge: forge)
            let commit = try await fixture.push(
                [".sluice.yml": SchedulerFixture.spec(), "train.sh": SchedulerFixture.train(auc: 0.9, sleep: 3141)])
            try await fixture.eventually("the run is training") { !SchedulerFixture.sleepingTrainers().isEmpty }
            // Another replica, to which this one's lease looks run out (as after a stall), takes the trigger over.
            let other = try Store(
                stateDirectory: fixture.config.stateDirectory, clock: ManualClock(now: Date().addingTimeInterval(10)))
            #expect(
                try await other.recoverAbandonedTriggers(maxAttempts: 2)
                    == [AbandonedTrigger(id: 1, requeued: true, interruptedRuns: [Run.ID(1)])])
            let taken = try await other.claimTriggers([1], leaseExpiry: Date().addingTimeInterval(3600))
            #expect(taken == [TriggerClaim(trigger: 1, attempt: 2)])
            // The next renewal (a third of the 3 s lease) finds the claim gone and stops the step.
            try await fixture.eventually("the step is stopped", within: .seconds(10)) { SchedulerFixture.sleepingTrainers().isEmpty }
            try await fixture.shutDown()
            let runs = try await fixture.runs()
            #expect(runs.map(\.state) == [.error])
            #expect(runs[0].reason == Run.abandonedReason)
            #expect(try await fixture.store.triggerState(1)?.state == "running")
            #expect(try await fixture.store.versions(of: "churn").isEmpty)
            #expect(forge.statuses(of: commit).map(\.state) == ["pending"])
        }
    }
}

@Suite("Trigger leases: a server that dies or stalls mid-run")
struct TriggerLeaseTests {
    static let commit = String(repeating: "a", count: 40)

    /// A store with one queued push, trigger 1.
    static func storeWithPush(_ kind: StoreKind, in scratch: ScratchDirectory, clock: ManualClock) async throws -> (StoreLocation, Store) {
        let location = try kind.location(in: scratch)
        let store = try await Store.open(location, clock: clock)
        let push = Push(
            project: "churn", ref: "refs/heads/main", refKind: .branch, before: Push.zeroCommit,
            after: commit, created: true, deleted: false, forced: false, pusher: nil)
        _ = try await store.record(
            IncomingDelivery(
                source: "github", project: "churn", event: "push", deliveryKey: "github:1",
                verdict: .accepted([KeyedTrigger(.push(push), dedupeKey: "1")])))
        return (location, store)
    }

    @Test("A trigger whose server died is queued again once, then failed with why; its runs end in error", arguments: StoreKind.allCases)
    func abandoned(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory("sluice-leases")
        let clock = ManualClock()
        let (_, store) = try await Self.storeWithPush(kind, in: scratch, clock: clock)
        for attempt in 1...2 {
            let claims = try await store.claimTriggers([1], leaseExpiry: clock.now.addingTimeInterval(15))
            #expect(claims == [TriggerClaim(trigger: 1, attempt: attempt)])
            let run = try await store.startRun(project: "churn", repository: "r", commit: Self.commit, claim: claims[0])
            // A live claimer's lease is left alone.
            clock.advance(by: .seconds(10))
            #expect(try await store.renewLeases(claims, until: clock.now.addingTimeInterval(15)).isEmpty)
            clock.advance(by: .seconds(10))
            #expect(try await store.recoverAbandonedTriggers(maxAttempts: 2).isEmpty)
            // Its server died: no renewal comes, and the lease runs out.
            clock.advance(by: .seconds(6))
            let recovered = try await store.recoverAbandonedTriggers(maxAttempts: 2)
            #expect(recovered == [AbandonedTrigger(id: 1, requeued: attempt == 1, interruptedRuns: [run])])
            #expect(try await store.run(run)?.state == .error)
        }
        let state = try await store.triggerState(1)
        #expect(state?.state == "failed")
        #expect(state?.outcome == "the server stopped during its run 2 times; not tried again")
        #expect(try await store.claimTriggers([1], leaseExpiry: clock.now.addingTimeInterval(15)).isEmpty)
    }

    @Test(
        "A replica that stalls past its lease loses the trigger to another; none of its writes land after, and the other's run is the one that counts",
        arguments: StoreKind.allCases)
    func stalledClaimer(_ kind: StoreKind) async throws {
        let scratch = try ScratchDirectory("sluice-leases")
        let clock = ManualClock()
        let (location, stalled) = try await Self.storeWithPush(kind, in: scratch, clock: clock)
        let other = try await Store.open(location, clock: clock)
        let passed = Run.Conclusion(model: "churn", artifactDigest: Digest.repeating("d"))

        let lapsed = try #require(try await stalled.claimTriggers([1], leaseExpiry: clock.now.addingTimeInterval(15)).first)
        let lapsedRun = try await stalled.startRun(project: "churn", repository: "r", commit: Self.commit, claim: lapsed)
        // The replica stalls (a long pause, a database it cannot reach) and its lease runs out.
        clock.advance(by: .seconds(16))
        // Even before anyone takes the trigger over, the lapsed claim writes nothing.
        let early = await #expect(throws: StoreError.self) {
            try await stalled.finishRun(lapsedRun, claim: lapsed, state: .passed, reason: "gate passed", conclusion: passed)
        }
        #expect(early?.lostClaim == lapsed)
        #expect(try await stalled.run(lapsedRun)?.state == .running)

        let recovered = try await other.recoverAbandonedTriggers(maxAttempts: 2)
        #expect(recovered == [AbandonedTrigger(id: 1, requeued: true, interruptedRuns: [lapsedRun])])
        let taken = try #require(try await other.claimTriggers([1], leaseExpiry: clock.now.addingTimeInterval(15)).first)
        #expect(taken == TriggerClaim(trigger: 1, attempt: 2))

        // The stalled replica wakes up: its renewal says the claim is gone, and each of its writes is refused.
        #expect(try await stalled.renewLeases([lapsed], until: clock.now.addingTimeInterval(15)) == [lapsed])
        await #expect(throws: StoreError.self) {
            try await stalled.finishRun(lapsedRun, claim: lapsed, state: .passed, reason: "gate passed", conclusion: passed)
        }
        await #expect(throws: StoreError.self) {
            try await stalled.startRun(project: "churn", repository: "r", commit: Self.commit, claim: lapsed)
        }
        #expect(try await stalled.finishTrigger(lapsed, as: .done, outcome: "run 1 passed") == false)
        #expect(try await stalled.releaseTrigger(lapsed) == false)
        #expect(try await stalled.run(lapsedRun)?.state == .error)

        // The replica that took it over runs it to the end, and registers it; the lapsed claim cannot.
        let run = try await other.startRun(project: "churn", repository: "r", commit: Self.commit, claim: taken)
        try await other.finishRun(run, claim: taken, state: .passed, reason: "gate passed", conclusion: passed)
        let refused = await #expect(throws: RegistryError.self) {
            try await stalled.register(run, branch: "main", claim: lapsed)
        }
        #expect(refused?.code == .claimLost)
        #expect(try await other.register(run, branch: "main", claim: taken).number.rawValue == 1)
        #expect(try await other.finishTrigger(taken, as: .done, outcome: "\(run) passed"))
        #expect(try await other.triggerState(1)?.state == "done")
        #expect(try await other.versions(of: "churn").map(\.run.id) == [run])
        #expect(try await other.verifyAudit().isIntact)
    }
}
