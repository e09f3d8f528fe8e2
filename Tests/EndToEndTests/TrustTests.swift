@testable import Curl
import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

/// Each hole an attacker with push or pull-request rights could use, tried through the real
/// surfaces (signed webhooks, repositories over smart HTTP, the deploy repository, `sluice serve`,
/// its API), and shown closed with the message a user sees.
@Suite("Trust: what a candidate, a fork or a forged name cannot do", .serialized)
struct TrustTests {
    @Test("A candidate spec that sets auto: true or approvals: 0 for production ends in error naming the server key")
    func candidateCannotSetProtection() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-protection", forge: forge, apiURL: apiURL)
            let auto = try await fixture.push(
                [".sluice.yml": TrustFixture.spec(environments: "[staging, { name: production, auto: true }]")]
                    .merging(TrustFixture.train(auc: 0.9)) { $1 })
            let run = try await fixture.run(of: auto)
            #expect(run.state == .error)
            #expect(run.reason?.contains("environments[1].auto: protection belongs to the server: set it as projects[].environments[].auto in the server's sluice.yml") == true)
            let zero = try await fixture.push([".sluice.yml": TrustFixture.spec(environments: "[staging, { name: production, approvals: 0 }]")])
            let zeroRun = try await fixture.run(of: zero)
            #expect(zeroRun.state == .error)
            #expect(zeroRun.reason?.contains("environments[1].approvals: 0 is out of range") == true)
            #expect(try await fixture.versions().isEmpty)
            #expect(try await fixture.promotions().isEmpty)
            #expect(try fixture.deployCommits() == 1)
            try await fixture.eventually("the error status is posted") { forge.statuses(of: zero).last?.state == "error" }
            fixture.stop()
        }
    }

    @Test("A candidate that removes a gate rule passes, but its report says so and even staging waits for approval")
    func removedGateRuleNeedsApproval() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-loosened", forge: forge, apiURL: apiURL)
            let first = try await fixture.push([".sluice.yml": TrustFixture.spec()].merging(TrustFixture.train(auc: 0.9)) { $1 })
            #expect(try await fixture.run(of: first).state == .passed)
            try await fixture.eventually("production waits for v1") {
                try await fixture.promotions().contains { $0.environment == "production" && $0.state == .pendingApproval }
            }
            let production = try #require(try await fixture.promotions().first { $0.environment == "production" })
            let approved = try await fixture.api(.post, "/api/v1/promotions/\(production.id.rawValue)/approve", as: "bob")
            #expect(approved.status == 200, "\(String(decoding: approved.body, as: UTF8.self))")
            let stagingBefore = try fixture.deploy.git(["show", "main:environments/staging/churn.yaml"])

            let second = try await fixture.push([".sluice.yml": TrustFixture.spec(gate: "")].merging(TrustFixture.train(auc: 0.5)) { $1 })
            let run = try await fixture.run(of: second)
            #expect(run.state == .passed, "\(run.reason ?? "")")
            let report = try #require(run.conclusion.gateReport)
            #expect(report.loosened == ["'auc': min 0.8 was removed (churn v1 (production) had to pass it)"])
            #expect(report.markdown.contains("Gate rules loosened"))
            try await fixture.eventually("v2's promotions are requested") {
                try await fixture.promotions().filter { $0.version == ModelVersion.Number(2) }.count == 2
            }
            let promotions = try await fixture.promotions().filter { $0.version == ModelVersion.Number(2) }
            #expect(promotions.map(\.state) == [.pendingApproval, .pendingApproval], "\(promotions)")
            #expect(promotions.allSatisfy { $0.requiredApprovals >= 1 })
            #expect(try fixture.deploy.git(["show", "main:environments/staging/churn.yaml"]) == stagingBefore)
            fixture.stop()
        }
    }

    @Test("A git author name is nobody's identity: the pusher may not approve, the person named as author may")
    func forgedAuthorCannotApprove() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-author", forge: forge, apiURL: apiURL)
            let commit = try await fixture.push(
                [".sluice.yml": TrustFixture.spec()].merging(TrustFixture.train(auc: 0.9)) { $1 }, pusher: "dana", author: "bob")
            #expect(try await fixture.run(of: commit).state == .passed)
            try await fixture.eventually("production waits") {
                try await fixture.promotions().contains { $0.environment == "production" && $0.state == .pendingApproval }
            }
            let production = try #require(try await fixture.promotions().first { $0.environment == "production" })
            #expect(production.broughtBy == ["dana"])
            let own = try await fixture.api(.post, "/api/v1/promotions/\(production.id.rawValue)/approve", as: "dana")
            #expect(own.status == 403)
            #expect(String(decoding: own.body, as: UTF8.self).contains("dana brought churn v1"))
            let other = try await fixture.api(.post, "/api/v1/promotions/\(production.id.rawValue)/approve", as: "bob")
            #expect(other.status == 200)
            #expect(try await fixture.promotions().first { $0.id == production.id }?.state == .applied)
            #expect(try fixture.deploy.git(["log", "-1", "--format=%B", "main"]).contains("Approved by: bob"))
            fixture.stop()
        }
    }

    @Test("The push that merges a gated pull request is registered, with lineage naming the pull request and its run")
    func mergedPullRequestRegisters() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-merge", forge: forge, apiURL: apiURL)
            let base = try await fixture.push([".sluice.yml": TrustFixture.spec()].merging(TrustFixture.train(auc: 0.9)) { $1 })
            #expect(try await fixture.run(of: base).state == .passed)

            try fixture.churn.git(["checkout", "--quiet", "-b", "better"])
            let head = try fixture.churn.commit(TrustFixture.train(auc: 0.93))
            try fixture.churn.push("better")
            try await fixture.deliver("pull_request", TrustFixture.pullRequest(5, action: "opened", head: head, branch: "better", author: "erin"))
            let gated = try await fixture.run(of: head)
            #expect(gated.state == .passed)
            #expect(try await fixture.versions().count == 1)

            try fixture.churn.git(["checkout", "--quiet", "main"])
            try fixture.churn.git(["merge", "--quiet", "--no-ff", "better", "-m", "Merge pull request #5 from acme/better"])
            let merge = try fixture.churn.git(["rev-parse", "HEAD"])
            try fixture.churn.push("main")
            try await fixture.deliver("push", GitHubDelivery.push(before: base, after: merge, pusher: "dana"))
            try await fixture.deliver(
                "pull_request", TrustFixture.pullRequest(5, action: "closed", head: head, branch: "better", author: "erin", mergeCommit: merge))
            let run = try await fixture.run(of: merge)
            #expect(run.state == .passed, "\(run.reason ?? "") — the merge of an unchanged tree must not be skipped")
            try await fixture.eventually("the merge is registered") { try await fixture.versions().count == 2 }
            let version = try #require(try await fixture.versions().last)
            #expect(version.run.commit == merge)
            #expect(version.pullRequest == 5)
            #expect(version.pullRequestRun == gated.id)
            #expect(Set(version.broughtBy) == ["dana", "erin"])
            fixture.stop()
        }
    }

    @Test("A fork's sandboxed step cannot read the config, the store, /root or another run, reach loopback, or leak the server's environment")
    func sandboxedForkStaysInside() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-sandbox", forge: forge, apiURL: apiURL)
            let first = try await fixture.push([".sluice.yml": TrustFixture.spec()].merging(TrustFixture.train(auc: 0.9)) { $1 })
            let trusted = try await fixture.run(of: first)
            #expect(trusted.state == .passed)
            let port = try #require(URL(string: fixture.server.base)?.port)
            let probe = """
                probe() { if sh -c "$2" >/dev/null 2>&1; then echo "$1=yes"; else echo "$1=no"; fi; }
                probe config "cat '\(fixture.config.path)'"
                probe store "cat '\(fixture.state.path)/sluice.sqlite'"
                probe root "ls /root/"
                probe other-run "ls '\(fixture.state.path)/runs/\(trusted.id.rawValue)'"
                probe loopback "python3 -c 'import socket; socket.create_connection((\\"127.0.0.1\\", \(port)), 2)'"
                probe log-link "ln -sf /proc/self/environ \\"$SLUICE_OUTPUT/../../logs/train.log\\""
                echo '{"weights": [0.9]}' > "$SLUICE_OUTPUT/model.json"
                """
            let head = try fixture.churn.commit([
                "train.sh": probe,
                // The metrics file as a link to the server's environment: refused, never followed.
                "validate.sh": "ln -s /proc/self/environ \"$SLUICE_METRICS\"\n",
            ])
            try fixture.churn.git(["push", "--quiet", "origin", "HEAD:refs/pull/9/head"])
            try await fixture.deliver(
                "pull_request", TrustFixture.pullRequest(9, action: "opened", head: head, branch: "patch", author: "mallory", fork: true))
            try await fixture.deliver("issue_comment", TrustFixture.comment("/sluice run", on: 9, by: "maria"))
            let run = try await fixture.run(of: head)
            let log = try await fixture.log(of: run, "train")
            #expect(log.split(separator: "\n") == [
                "config=no", "store=no", "root=no", "other-run=no", "loopback=no", "log-link=no",
            ], "\(log)")
            #expect(run.state == .error)
            #expect(run.reason?.contains("is a symlink, which Sluice does not follow") == true, "\(run.reason ?? "")")
            fixture.expectNoSecret(in: log + (run.reason ?? "") + (try await fixture.log(of: run, "validate")))
            fixture.stop()
        }
    }

    @Test("An artifact that is a symlink out of the output folder is refused; nothing is registered")
    func artifactSymlinkOut() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-artifact", forge: forge, apiURL: apiURL)
            var files = TrustFixture.train(auc: 0.9)
            files["train.sh"] = "ln -s '\(fixture.config.path)' \"$SLUICE_OUTPUT/model.json\"\n"
            let commit = try await fixture.push(files.merging([".sluice.yml": TrustFixture.spec()]) { $1 })
            let run = try await fixture.run(of: commit)
            #expect(run.state == .error)
            #expect(run.reason?.contains("outside the output directory") == true, "\(run.reason ?? "")")
            #expect(try await fixture.versions().isEmpty)
            #expect(try fixture.deployCommits() == 1)
            fixture.stop()
        }
    }

    @Test("file:// data is read only below data_folders: outside them the run ends in error and nothing is read")
    func fileDataOutsideAllowedFolders() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-data", forge: forge, apiURL: apiURL)
            let outside = try fixture.deploy.scratch.write("secret,rows\n", to: "outside/customers.csv")
            let inside = try fixture.deploy.scratch.write("a,b\n1,2\n", to: "allowed/customers.csv")
            // A link inside the allowed folder that points out of it does not count as inside.
            try FileManager.default.createSymbolicLink(
                at: fixture.allowedData.appending(path: "link.csv"), withDestinationURL: outside)
            for (uri, allowed) in [(outside.path, false), (fixture.allowedData.appending(path: "link.csv").path, false), (inside.path, true)] {
                let data = "inputs:\n  data:\n    - { name: customers, uri: \"file://\(uri)\" }\n"
                var files = TrustFixture.train(auc: 0.9)
                files["train.sh"] = "cat \"$SLUICE_DATA_CUSTOMERS\"\n" + (files["train.sh"]! ?? "")
                let commit = try await fixture.push(files.merging([".sluice.yml": TrustFixture.spec(extra: data)]) { $1 })
                let run = try await fixture.run(of: commit)
                if allowed {
                    #expect(run.state == .passed, "\(run.reason ?? "")")
                    #expect(try await fixture.log(of: run, "train").hasPrefix("a,b"))
                } else {
                    #expect(run.state == .error)
                    #expect(run.reason?.contains("outside the folders the server allows file:// data from (data_folders in the server config") == true, "\(run.reason ?? "")")
                    #expect(try await fixture.get("/api/v1/runs/\(run.id.rawValue)", as: RunSteps.self).steps.isEmpty)
                }
            }
            fixture.stop()
        }
    }

    @Test("A repository template that renders a ClusterRoleBinding fails the promotion naming the object; the deploy repo is untouched")
    func clusterRoleBindingRefused() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-manifest", forge: forge, apiURL: apiURL)
            let spec = TrustFixture.spec().replacingOccurrences(
                of: "deploy: { template: kserve, values: { format: sklearn } }", with: "deploy: { template: deploy/pwn.yaml.mustache }")
            let template = """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: { name: pwn }
                roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
                subjects: [{ kind: ServiceAccount, name: default, namespace: default }]
                """
            let commit = try await fixture.push(
                [".sluice.yml": spec, "deploy/pwn.yaml.mustache": template].merging(TrustFixture.train(auc: 0.9)) { $1 })
            #expect(try await fixture.run(of: commit).state == .passed)
            try await fixture.eventually("staging's promotion ends") {
                try await fixture.promotions().contains { $0.environment == "staging" && $0.state == .failed }
            }
            let staging = try #require(try await fixture.promotions().first { $0.environment == "staging" })
            #expect(staging.reason?.contains("ClusterRoleBinding pwn is not an allowed kind") == true, "\(staging.reason ?? "")")
            #expect(try fixture.deployCommits() == 1)
            fixture.stop()
        }
    }

    @Test("Project fraud cannot register churn's model: the run ends in error naming the owner")
    func projectCannotRegisterAnothersModel() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-ownership", forge: forge, apiURL: apiURL)
            let commit = try await fixture.push(
                [".sluice.yml": TrustFixture.spec(model: "churn", environments: "[staging]")].merging(TrustFixture.train(auc: 0.9)) { $1 },
                to: fixture.fraud)
            let run = try await fixture.run(of: commit)
            #expect(run.state == .error)
            #expect(run.reason?.contains("model: 'churn' belongs to project churn (projects[].models in the server config); project fraud may register only fraud") == true, "\(run.reason ?? "")")
            #expect(try await fixture.versions().isEmpty)
            fixture.stop()
        }
    }

    @Test("Engineers run, cancel and retry runs through the API; viewers cannot")
    func engineersRunCancelAndRetry() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-engineer", forge: forge, apiURL: apiURL)
            var files = TrustFixture.train(auc: 0.9)
            files["train.sh"] = "if [ -e slow ]; then sleep 3141; fi\n" + (files["train.sh"]! ?? "")
            let first = try await fixture.push(files.merging([".sluice.yml": TrustFixture.spec()]) { $1 })
            #expect(try await fixture.run(of: first).state == .passed)

            let refused = try await fixture.api(.post, "/api/v1/projects/churn/runs", as: "victor", body: #"{"revision": "main"}"#)
            #expect(refused.status == 403)
            let queued = try await fixture.api(.post, "/api/v1/projects/churn/runs", as: "erin", body: #"{"revision": "main", "retrain": true}"#)
            #expect(queued.status == 202, "\(String(decoding: queued.body, as: UTF8.self))")
            let again = try await fixture.runs(of: first, count: 2)
            #expect(again.last?.state == .passed)
            #expect(again.last?.conclusion.cachedFrom == nil)

            let slow = try fixture.churn.commit(["slow": "1"])
            try fixture.churn.push()
            #expect(try await fixture.api(.post, "/api/v1/projects/churn/runs", as: "erin", body: "{\"revision\": \"\(slow)\"}").status == 202)
            var running: Run?
            try await fixture.eventually("the slow run is training") {
                running = try await fixture.get("/api/v1/runs?limit=10", as: [Run].self).first { $0.commit == slow && $0.state == .running }
                return running != nil
            }
            let id = try #require(running).id.rawValue
            #expect(try await fixture.api(.post, "/api/v1/runs/\(id)/cancel", as: "victor").status == 403)
            #expect(try await fixture.api(.post, "/api/v1/runs/\(id)/cancel", as: "erin").status == 202)
            let cancelled = try await fixture.run(of: slow)
            #expect(cancelled.state == .cancelled)
            #expect(cancelled.reason == "cancelled by erin")
            #expect(try await fixture.api(.post, "/api/v1/runs/\(id)/cancel", as: "erin").status == 409)

            let retry = try await fixture.api(.post, "/api/v1/runs/\(again[0].id.rawValue)/retry", as: "erin")
            #expect(retry.status == 202)
            #expect(try await fixture.runs(of: first, count: 3).last?.state == .passed)
            let audit = try await fixture.get("/api/v1/audit?limit=1000", as: [AuditLine].self)
            #expect(audit.contains { $0.action == "run.cancel_requested" && $0.actor == "erin" })
            #expect(audit.contains { $0.action == "delivery.accepted" && $0.actor == "api:erin" })
            fixture.stop()
        }
    }

    @Test("Every comment command gets an answer on its pull request: what was done, or why it was refused")
    func commentCommandsAreAnswered() async throws {
        let forge = FakeForge(.github)
        try await forge.serve { apiURL in
            let fixture = try TrustFixture("trust-answers", forge: forge, apiURL: apiURL)
            let commit = try await fixture.push([".sluice.yml": TrustFixture.spec()].merging(TrustFixture.train(auc: 0.9)) { $1 })
            #expect(try await fixture.run(of: commit).state == .passed)
            try await fixture.eventually("production waits") {
                try await fixture.promotions().contains { $0.environment == "production" && $0.state == .pendingApproval }
            }
            try await fixture.deliver("issue_comment", TrustFixture.comment("/sluice approve production", on: 7, by: "mallory"))
            try await fixture.eventually("the refusal is answered") { forge.comments.count == 1 }
            #expect(forge.comments[0].pullRequest == 7)
            #expect(forge.comments[0].body.contains("by mallory: ❌ refused: mallory is not an approver of production"))
            try await fixture.deliver("issue_comment", TrustFixture.comment("/sluice approve production", on: 7, by: "bob"))
            try await fixture.eventually("the approval is answered") { forge.comments.count == 2 }
            #expect(forge.comments[1].body.contains("by bob: ✅ approved promotion"))
            #expect(forge.comments[1].body.contains("applied as deploy commit `"))
            fixture.stop()
        }
    }
}

/// A run with its steps, as `GET /api/v1/runs/{id}` answers.
private struct RunSteps: Decodable {
    let run: Run
    let steps: [RunStep]
}

/// The fields of an audit entry these tests read.
private struct AuditLine: Decodable {
    let action: String
    let actor: String
}
