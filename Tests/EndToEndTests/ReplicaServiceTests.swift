@testable import Curl
import Foundation
@testable import Git
@testable import SluiceCore
import SluiceTesting
import Testing

/// Three `sluice serve` replicas behind one webhook URL, sharing one PostgreSQL database.
@Suite("Several replicas on one PostgreSQL, end to end", .serialized)
struct ReplicaServiceTests {
    static let secret = "e2e-replica-secret-1616"
    static let branches = 20
    static let deliveries = 1000
    /// The branch whose first training hangs until its replica is killed.
    static let hanging = 7

    @Test("1,000 deliveries over three replicas, one killed mid-run and restarted: each stored once, each trigger done once, one deploy commit per promotion, every artifact served by every replica",
          arguments: ArtifactKind.allCases)
    func threeReplicas(artifacts: ArtifactKind) async throws {
        let deploy = try DeployRemote("e2e-replicas")
        let scratch = deploy.scratch
        let model = try RemoteFixture(named: "churn", in: scratch.url)
        let marker = scratch.path("hung-once")
        try model.commit(["README.md": "churn\n"], message: "Start")
        try model.push()
        var heads: [Int: String] = [:]
        for branch in 1...Self.branches {
            try model.git(["checkout", "--quiet", "-B", "release/\(branch)", "main"])
            let hang = branch == Self.hanging ? "if [ ! -e '\(marker.path)' ]; then touch '\(marker.path)'; sleep 3141; fi\n" : ""
            heads[branch] = try model.commit([
                ".sluice.yml": """
                    version: 1
                    model: churn
                    release_branch: release/\(branch)
                    steps: { train: sh train.sh, validate: cat "$SLUICE_METRICS" }
                    artifact: model.json
                    gate: [{ metric: auc, min: 0.5 }]
                    environments: [staging]
                    deploy: { template: kserve, values: { format: sklearn } }
                    """,
                "train.sh": hang + "echo '{\"branch\": \(branch)}' > \"$SLUICE_OUTPUT/model.json\"; echo '{\"auc\": 0.9}' > \"$SLUICE_METRICS\"\n",
            ])
            try model.push("release/\(branch)")
        }
        let database = try PostgresServer.shared().makeDatabase()
        var environment = [
            "E2E_WEBHOOK_SECRET": Self.secret, "DEPLOY_TOKEN": DeployRemote.password,
            "SLUICE_DATABASE_URL": "postgres://\(database.user)@\(database.host):\(database.port)/\(database.database)?sslmode=disable",
        ]
        // The replicas share their artifacts through a folder they all mount, or a bucket.
        var artifactsSection = "artifacts: { path: shared-artifacts }"
        let bucket = try artifacts.makeBucket()
        if let bucket {
            environment["S3_ACCESS_KEY"] = bucket.accessKeyID
            environment["S3_SECRET_KEY"] = bucket.secretAccessKey.revealed
            artifactsSection = """
                artifacts:
                  s3: { endpoint: "\(bucket.endpoint.absoluteString)", bucket: \(bucket.bucket), prefix: \(bucket.prefix), access_key_env: S3_ACCESS_KEY, secret_key_env: S3_SECRET_KEY }
                """
        }
        // Production's default lease (15 s): the killed replica's trigger is taken over after it,
        // and a live replica on two loaded cores renews well within it. (One that did not would
        // lose its trigger cleanly, its writes refused, but its run would be one more than the
        // heads; the lease tests prove that case.)
        let configs = try (1...3).map { replica in
            try scratch.write(
                """
                listen: 127.0.0.1:0
                state_dir: state-\(replica)
                public_url: https://sluice.example.com
                store: { url_env: SLUICE_DATABASE_URL }
                projects:
                  - name: churn
                    forge: github
                    repo: \(model.fileURL)
                    webhook_secret_env: E2E_WEBHOOK_SECRET
                    branches: ["release/*"]
                    environments:
                      - { name: staging, auto: true, branches: ["release/*"] }
                deploy:
                  repo: \(deploy.url)
                  token_env: DEPLOY_TOKEN
                  username: \(DeployRemote.user)
                executor: { sandbox: none, lease: 15s, max_parallel: 2 }
                \(artifactsSection)
                """, to: "sluice-\(replica).yml")
        }
        func start(_ replica: Int) throws -> (process: SluiceProcess, base: String) {
            let process = try SluiceProcess(["serve", "--config", configs[replica].path], environment: environment)
            return (process, try process.waitFor(/listening on (http:\/\/[0-9.:]+)/))
        }
        var replicas = try (0..<3).map(start)
        let store = try await Store.open(StoreLocation(stateDirectory: scratch.path("observer"), postgres: database))

        // The twenty release pushes, each sent to two replicas as a forge's retry would be, and
        // pushes to branches the project does not build (recorded as ignored), every tenth of
        // those sent twice too.
        let client = HTTPClient(retry: .none)
        let bases = replicas.map(\.base)
        let sends: [(id: String, body: Data, replicas: [Int])] = (0..<Self.deliveries).map { index in
            if index < Self.branches {
                let body = GitHubDelivery.push(before: Push.zeroCommit, after: heads[index + 1]!, ref: "refs/heads/release/\(index + 1)")
                return ("release-\(index + 1)", body, [index % 3, (index + 1) % 3])
            }
            let body = GitHubDelivery.push(
                before: Push.zeroCommit, after: String(repeating: "a", count: 40), ref: "refs/heads/feature/\(index)")
            return ("feature-\(index)", body, index % 10 == 0 ? [index % 3, (index + 2) % 3] : [index % 3])
        }
        var statuses: [String: [Int]] = [:]
        for chunk in stride(from: 0, to: sends.count, by: 25) {
            let answered = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for send in sends[chunk..<min(chunk + 25, sends.count)] {
                    for replica in send.replicas {
                        group.addTask {
                            let request = GitHubDelivery.request(
                                to: "\(bases[replica])/hooks/github/churn", event: "push", body: send.body, secret: Self.secret,
                                id: send.id)
                            return (send.id, try await client.send(request).status)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (id, status) in answered { statuses[id, default: []].append(status) }
        }
        // One copy of each delivery is accepted or ignored (202), any other is a duplicate (200).
        #expect(statuses.count == Self.deliveries)
        #expect(statuses.values.allSatisfy { $0.filter { $0 == 202 }.count == 1 && $0.allSatisfy { [200, 202].contains($0) } })

        // The hanging training starts on one replica: kill that replica, and start it again.
        let hung = try await Self.waitFor("the hanging step to start", within: .seconds(120)) {
            ServiceTests.processes(mentioning: "sleep 3141").first
        }
        let cwd = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(hung)/cwd")
        let victim = try #require((0..<3).first { cwd.contains("/state-\($0 + 1)/") })
        replicas[victim].process.kill(SIGKILL)
        _ = replicas[victim].process.waitForExit()
        // Without a sandbox the step outlives its server, as a machine's loss would end it.
        kill(pid_t(hung)!, SIGKILL)
        replicas[victim] = try start(victim)

        let pushTriggers = try await store.deliveries(limit: 5000).filter { $0.outcome == .accepted }.flatMap(\.triggers)
        #expect(pushTriggers.count == Self.branches)
        try await replicas[0].process.waitUntil("every release push has been carried out", within: .seconds(300)) {
            for trigger in pushTriggers where try await store.triggerState(trigger.id)?.state != "done" { return false }
            return try await store.approvedPromotions().isEmpty
        }

        let stored = try await store.deliveries(limit: 5000)
        #expect(stored.count == statuses.values.map(\.count).reduce(0, +))
        #expect(stored.filter { $0.outcome != .duplicate }.count == Self.deliveries)
        let runs = try await store.runs(limit: 500)
        let passed = runs.filter { $0.state == .passed }
        #expect(passed.count == Self.branches)
        #expect(Set(passed.map(\.commit)) == Set(heads.values))
        #expect(Set(passed.compactMap(\.triggerID)).count == Self.branches)
        let unpassed = runs.filter { $0.state != .passed }
        #expect(
            unpassed.map(\.state) == [.error],
            "\(unpassed.map { "\($0.id) of trigger \($0.triggerID ?? 0), \($0.commit.prefix(8)): \($0.state.rawValue), \($0.reason ?? "")" })")
        #expect(runs.first { $0.state == .error }?.commit == heads[Self.hanging])
        #expect(try await store.versions(of: "churn").count == Self.branches)

        // Each applied promotion is one commit in the deploy repository, and the environment the
        // registry names is the one the repository's last promotion put there. The killed replica
        // may have pushed one promotion's commit and died before recording it applied; a newer
        // version then supersedes it (its write is in history, the environment moved on), so at
        // most that one commit names a superseded promotion.
        let promotionTrailers = try deploy.git(
            ["log", "--format=%(trailers:key=Sluice-Promotion,valueonly,separator=)", "main"]
        ).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        #expect(Set(promotionTrailers).count == promotionTrailers.count)
        let promotions = try await store.promotions(all: true, limit: 500)
        let committed = Set(promotionTrailers.compactMap { $0.split(separator: "@").first.flatMap { Int64($0) } })
        let applied = Set(promotions.filter { $0.state == .applied }.map(\.id.rawValue))
        let unrecorded = promotions.filter { committed.contains($0.id.rawValue) && !applied.contains($0.id.rawValue) }
        let listing = promotions.map { "\($0.id) v\($0.version.rawValue): \($0.state.rawValue)" }
        #expect(applied.isSubset(of: committed), "\(listing) vs trailers \(promotionTrailers)")
        #expect(unrecorded.count <= 1 && unrecorded.allSatisfy { $0.state == .superseded }, "\(listing) vs trailers \(promotionTrailers)")
        let newest = try #require(promotionTrailers.first?.split(separator: "@").first.flatMap { Int64($0) })
        let last = try await store.promotion(Promotion.ID(newest))
        #expect(try await store.version(of: "churn", in: "staging") == last.version)
        #expect(try await store.verifyAudit().isIntact)

        // Every version's artifact is stored once where replicas share them, and served by every
        // replica, whichever of them trained it.
        let shared = try bucket.map { try S3Server.shared().keys(in: $0.bucket) }
            ?? FileManager.default.contentsOfDirectory(atPath: scratch.path("shared-artifacts/sha256").path)
        #expect(shared.count == Self.branches)
        for version in try await store.versions(of: "churn") {
            let branch = try #require(version.branch?.split(separator: "/").last)
            for replica in replicas {
                let response = try await client.send(
                    Curl.HTTPRequest(url: "\(replica.base)/api/v1/artifacts/sha256/\(version.artifactDigest.hex)"))
                #expect(response.status == 200, "\(version.label) from \(replica.base)")
                #expect(String(decoding: response.body, as: UTF8.self) == "{\"branch\": \(branch)}\n")
            }
        }
        for replica in replicas {
            replica.process.kill(SIGTERM)
            #expect(replica.process.waitForExit() == 0)
        }
    }

    /// Polls `probe` every 50 ms until it returns a value.
    static func waitFor<T>(_ what: String, within timeout: Duration, _ probe: () throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try probe() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SluiceProcess.Failure(message: "timed out waiting for \(what)")
    }
}
