import Curl
import Foundation
import SluiceCore
import SluiceTesting

/// The demo's story, told step by step on standard output.
struct DemoScript {
    let root: URL
    let sluice: URL
    let forge: FakeForge
    let apiURL: String
    let http = HTTPClient(userAgent: "sluice-demo", retry: .none)

    func play() async throws {
        let started = ContinuousClock.now
        heading("1. A model repository (sluice init) and a deploy repository, served over smart HTTP")
        let world = try DemoWorld(folder: root, sluice: sluice)
        try world.writeConfig(apiURL: apiURL)
        say("model:  \(world.modelURL)")
        say("deploy: \(world.deployURL)")
        say("config: \(world.configFile.path)")

        heading("2. sluice serve")
        let server = try ServeProcess(
            sluice: sluice, config: world.configFile, environment: DemoWorld.environment(forgeToken: forge.token),
            log: world.folder.appending(path: "sluice.log"))
        defer { server.stop() }
        say("listening on \(try await server.address()) (log: \(server.log.path))")

        heading("3. A push to main, and GitHub's signed push webhook")
        let before = try world.git(["rev-parse", "HEAD"])
        try Data("\n# Retrained by the Sluice demo.\n".utf8).append(to: world.work.appending(path: "train.py"))
        try world.git(["commit", "--quiet", "-am", "Note the demo in train.py"])
        try world.git(["push", "--quiet", "origin", "main"])
        let head = try world.git(["rev-parse", "HEAD"])
        try await deliver(event: "push", to: world, body: GitHubDelivery.push(before: before, after: head))

        heading("4. The run, live")
        let release = try await follow(runOf: head, world: world)
        guard release.state == .passed else { throw DemoFailure("the release run ended \(release.state.rawValue): \(release.reason ?? "")") }
        if let report = release.conclusion.gateReport { print(report.markdown) }

        heading("5. Registered and promoted: staging at once, production waits for approval")
        let production = try await waitFor("production's promotion to wait for approval") { () async throws -> Promotion? in
            let promotions: [Promotion] = try await get("/api/v1/promotions?all=true", from: world)
            guard promotions.contains(where: { $0.environment == "staging" && $0.state == .applied }) else { return nil }
            return promotions.first { $0.environment == "production" && $0.state == .pendingApproval }
        }
        let versions: [ModelVersion] = try await get("/api/v1/models/churn/versions", from: world)
        say("registered: \(versions.map { "\($0.model) \($0.number) (\($0.artifactDigest.short)…)" }.joined(separator: ", "))")
        say("staging: applied; production: \(production.id) pending approval by \(production.approvers.joined(separator: " or "))")

        heading("6. sluice approve \(production.id.rawValue), as alice: her API token in SLUICE_TOKEN says who approves")
        var alice = DemoWorld.environment(forgeToken: forge.token)
        alice["SLUICE_URL"] = world.sluiceURL
        alice["SLUICE_TOKEN"] = DemoWorld.aliceToken
        print(try DemoWorld.run(sluice.path, ["approve", "\(production.id.rawValue)"], environment: alice))

        heading("7. The deploy repository, as Argo CD or Flux reads it")
        print(try world.deployGit(["log", "--format=%h %s", "main"]))
        say("environments/production/churn.yaml:")
        print(try world.deployGit(["show", "main:environments/production/churn.yaml"]))

        heading("8. A pull request that makes the model worse")
        try world.git(["checkout", "--quiet", "-b", "flip-labels"])
        let trainPy = world.work.appending(path: "train.py")
        let original = try String(contentsOf: trainPy, encoding: .utf8)
        let broken = original.replacingOccurrences(
            of: "labels = [label(record) for record in train_records]",
            with: "labels = [1 - label(record) for record in train_records]")
        guard broken != original else { throw DemoFailure("train.py no longer has the line the demo breaks") }
        try Data(broken.utf8).write(to: trainPy)
        try world.git(["commit", "--quiet", "-am", "Encode churn as 0 (a bug)"])
        try world.git(["push", "--quiet", "origin", "flip-labels"])
        let prHead = try world.git(["rev-parse", "HEAD"])
        let pullRequest = try JSONSerialization.data(withJSONObject: [
            "action": "opened", "number": 7,
            "pull_request": [
                "head": ["sha": prHead, "ref": "flip-labels", "repo": ["full_name": "acme/churn"]],
                "base": ["ref": "main", "repo": ["full_name": "acme/churn"]], "user": ["login": "erin"],
            ],
        ])
        try await deliver(event: "pull_request", to: world, body: pullRequest)
        let pullRequestRun = try await follow(runOf: prHead, world: world)
        guard pullRequestRun.state == .gateFailed else {
            throw DemoFailure("the pull request's run ended \(pullRequestRun.state.rawValue), not gate_failed: \(pullRequestRun.reason ?? "")")
        }
        let comment = try await waitFor("the pull-request comment") { forge.comments.first { $0.pullRequest == 7 } }
        say("the comment Sluice posted on pull request #7 (to the GitHub API):")
        print(comment.body)
        let status = forge.statuses(of: prHead).last
        say("commit status sluice/gate on \(prHead.prefix(12)): \(status?.state ?? "none") — \(status?.description ?? "")")
        let versionsAfter: [ModelVersion] = try await get("/api/v1/models/churn/versions", from: world)
        guard versionsAfter.count == versions.count else { throw DemoFailure("the pull request registered a version") }
        say("nothing registered or promoted: churn still has \(versionsAfter.count) version(s)")

        heading("Summary")
        let elapsed = ContinuousClock.now - started
        say("push → \(release.id) passed → churn \(versions[0].number) in staging and, after alice's approval, in production")
        say("pull request #7 → \(pullRequestRun.id) gate failed → reported on the pull request, nothing promoted")
        say("deploy repository: \(try world.deployGit(["rev-list", "--count", "main"])) commits; files in \(root.path)")
        // The servers are gone once the demo ends; what they left is plain files and git.
        say("look around afterwards: git -C \(world.deployBare.path) log --stat main (what Argo CD would apply); "
            + "\(root.path)/state/runs/N/logs/ (each step's log); \(root.path)/sluice.log (the server's log)")
        say(String(format: "make demo: done in %.0f s", Double(elapsed.components.seconds)))
    }

    // MARK: - Steps

    /// Delivers a GitHub webhook signed with the project's secret, and shows the answer.
    private func deliver(event: String, to world: DemoWorld, body: Data) async throws {
        let response = try await http.send(
            GitHubDelivery.request(
                to: world.sluiceURL + "/hooks/github/churn", event: event, body: body, secret: DemoWorld.webhookSecret))
        say("POST /hooks/github/churn (\(event)) → \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        guard response.status == 202 else { throw DemoFailure("the webhook was not accepted") }
    }

    /// Shows the run of `commit` as it goes: each step as it starts and ends, and its log lines.
    private func follow(runOf commit: String, world: DemoWorld) async throws -> Run {
        let id = try await waitFor("the run of \(commit.prefix(12)) to start") { () async throws -> Run.ID? in
            let runs: [Run] = try await get("/api/v1/runs?limit=20", from: world)
            return runs.first { $0.commit == commit }?.id
        }
        say("\(id) started for \(commit.prefix(12))")
        var shown: [String: Int] = [:]
        var finishedSteps: Set<String> = []
        while true {
            let detail: RunDetail = try await get("/api/v1/runs/\(id.rawValue)", from: world)
            for step in detail.steps {
                if shown[step.name] == nil {
                    say("▸ \(step.name): \(step.command)")
                    shown[step.name] = 0
                }
                let log = try await text("/api/v1/runs/\(id.rawValue)/steps/\(step.name)/log?offset=\(shown[step.name] ?? 0)", from: world)
                shown[step.name, default: 0] += log.utf8.count
                for line in log.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                    say("  [\(step.name)] \(line)")
                }
                if let outcome = step.outcome, finishedSteps.insert(step.name).inserted {
                    let seconds = step.endedAt.map { $0.timeIntervalSince(step.startedAt) } ?? 0
                    say(String(format: "%@ %@ %@ after %.1fs", step.succeeded == true ? "✓" : "✗", step.name, outcome, seconds))
                }
            }
            if detail.run.state != .running {
                say("\(id): \(detail.run.state.rawValue): \(detail.run.reason ?? "")")
                return detail.run
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// A run and its steps, as `GET /api/v1/runs/{id}` answers.
    private struct RunDetail: Decodable {
        let run: Run
        let steps: [RunStep]
    }

    // MARK: - Plumbing

    /// `GET path` as the demo's viewer: with `auth` configured, every API route needs a token.
    private func viewerRequest(_ path: String, _ world: DemoWorld) -> HTTPRequest {
        HTTPRequest(
            url: world.sluiceURL + path,
            headers: [HTTPHeader(name: "Authorization", value: "Bearer \(DemoWorld.viewerToken)", isSecret: true)])
    }

    private func get<T: Decodable>(_ path: String, from world: DemoWorld) async throws -> T {
        let response = try await http.send(viewerRequest(path, world))
        guard response.isSuccess else {
            throw DemoFailure("GET \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: response.body)
    }

    private func text(_ path: String, from world: DemoWorld) async throws -> String {
        String(decoding: try await http.send(viewerRequest(path, world)).body, as: UTF8.self)
    }

    /// Asks `probe` every 200 ms until it gives a value, for at most five minutes.
    private func waitFor<T>(_ what: String, _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw DemoFailure("timed out waiting for \(what)")
    }

    private func heading(_ text: String) {
        print("\n== \(text)")
    }

    private func say(_ text: String) {
        print("   \(text)")
    }
}

extension Data {
    /// Appends these bytes to the end of `file`.
    func append(to file: URL) throws {
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: self)
    }
}
