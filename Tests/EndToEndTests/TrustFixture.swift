@testable import Curl
import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

/// Sluice as someone with push or pull-request rights meets it: the real `sluice serve` with
/// signed GitHub webhooks, two model repositories over smart HTTP (`acme/churn` and
/// `acme/fraud`, each owning its model), a deploy repository over smart HTTP, a loopback GitHub
/// API, steps in the bubblewrap sandbox, and API tokens for bob and dana (release managers and
/// production's approvers), erin (engineer) and victor (viewer).
final class TrustFixture: Sendable {
    static let webhookSecret = "trust-webhook-secret-5813"
    static let tokens = [
        "bob": "tok-bob-2112", "dana": "tok-dana-1984", "erin": "tok-erin-4004", "victor": "tok-victor-1701",
    ]
    static let roles = ["bob": "release-manager", "dana": "release-manager", "erin": "engineer", "victor": "viewer"]

    /// A spec whose steps are `sh train.sh` and `sh validate.sh`, with the given gate and
    /// environments; `extra` is added at the end.
    static func spec(
        model: String = "churn", gate: String = "gate:\n  - { metric: auc, min: 0.8 }\n",
        environments: String = "[staging, production]", extra: String = ""
    ) -> String {
        """
        version: 1
        model: \(model)
        steps:
          train: { run: sh train.sh, timeout: 2m }
          validate: { run: sh validate.sh, timeout: 2m }
        artifact: model.json
        \(gate)environments: \(environments)
        deploy: { template: kserve, values: { format: sklearn } }
        \(extra)
        """
    }

    /// A training step that writes a model and the `auc` its validate step reports.
    static func train(auc: Double) -> [String: String?] {
        [
            "train.sh": "echo '{\"weights\": [\(auc)]}' > \"$SLUICE_OUTPUT/model.json\"\n",
            "validate.sh": "echo '{\"auc\": \(auc)}' > \"$SLUICE_METRICS\"\n",
        ]
    }

    let deploy: DeployRemote
    let churn: RemoteFixture
    let fraud: RemoteFixture
    let models: GitHTTPServer
    let forge: FakeForge
    let config: URL
    /// The only folder `file://` data may come from.
    let allowedData: URL
    let state: URL
    let server: RunningServer
    /// Every secret the server holds, which no log, reason or answer may show.
    let secrets: [String]
    private let http = HTTPClient(userAgent: "trust-tests", retry: .none)

    init(_ label: String, forge: FakeForge, apiURL: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        try #require(Bubblewrap.isUsable(), "bubblewrap must work on this host (make bootstrap installs it)")
        // Under /var/tmp, not /tmp: a sandboxed step gets a /tmp of its own, which would hide the
        // state directory and config from it whatever the sandbox binds.
        deploy = try DeployRemote(label, in: URL(fileURLWithPath: "/var/tmp"))
        let acme = deploy.scratch.path("models/acme")
        try FileManager.default.createDirectory(at: acme, withIntermediateDirectories: true)
        churn = try RemoteFixture(named: "churn", in: acme)
        fraud = try RemoteFixture(named: "fraud", in: acme)
        models = try GitHTTPServer(root: deploy.scratch.path("models"))
        self.forge = forge
        allowedData = deploy.scratch.path("allowed")
        try FileManager.default.createDirectory(at: allowedData, withIntermediateDirectories: true)
        state = deploy.scratch.path("state")
        config = try deploy.scratch.write(
            """
            listen: 127.0.0.1:0
            public_url: https://sluice.example.com
            state_dir: state
            data_folders: [allowed]
            projects:
              - name: churn
                forge: github
                repo: \(models.url("acme/churn.git"))
                webhook_secret_env: TRUST_WEBHOOK_SECRET
                token_env: TRUST_FORGE_TOKEN
                api_url: \(apiURL)
                maintainers: [maria]
                environments:
                  - { name: staging, auto: true }
                  - { name: production, approvals: 1, approvers: [bob, dana] }
              - name: fraud
                forge: github
                repo: \(models.url("acme/fraud.git"))
                webhook_secret_env: TRUST_WEBHOOK_SECRET
                environments:
                  - { name: staging, auto: true }
            deploy:
              repo: \(deploy.url)
              token_env: TRUST_DEPLOY_TOKEN
              username: \(DeployRemote.user)
            executor: { sandbox: bubblewrap }
            auth:
              tokens_env: TRUST_API_TOKENS
            """, to: "sluice.yml")
        let tokens = Self.tokens.map { "\($0.key):\(Self.roles[$0.key] ?? "viewer"):\($0.value)" }.joined(separator: ",")
        secrets = [Self.webhookSecret, forge.token, DeployRemote.password] + Self.tokens.values
        server = try RunningServer(
            config: config,
            environment: [
                "TRUST_WEBHOOK_SECRET": Self.webhookSecret, "TRUST_FORGE_TOKEN": forge.token,
                "TRUST_DEPLOY_TOKEN": DeployRemote.password, "TRUST_API_TOKENS": tokens,
            ])
    }

    /// Commits `files` to `repository` (authored as `author`, when given), pushes `branch`, and
    /// delivers GitHub's signed push webhook as `pusher` pushed it. Returns the commit.
    @discardableResult
    func push(
        _ files: [String: String?], to repository: RemoteFixture? = nil, branch: String = "main", pusher: String = "dana",
        author: String? = nil
    ) async throws -> String {
        let repository = repository ?? churn
        let before = repository.remoteCommit("refs/heads/\(branch)") ?? Push.zeroCommit
        var commit = try repository.commit(files)
        if let author {
            try repository.git(["commit", "--quiet", "--amend", "--no-edit", "--author=\(author) <\(author)@example.com>"])
            commit = try repository.git(["rev-parse", "HEAD"])
        }
        try repository.push(branch)
        try await deliver(
            "push", GitHubDelivery.push(before: before, after: commit, ref: "refs/heads/\(branch)", pusher: pusher),
            project: repository === fraud ? "fraud" : "churn")
        return commit
    }

    /// Delivers a signed GitHub webhook of `event`; it must be accepted.
    func deliver(_ event: String, _ body: Data, project: String = "churn") async throws {
        let response = try await http.send(
            GitHubDelivery.request(to: "\(server.base)/hooks/github/\(project)", event: event, body: body, secret: Self.webhookSecret))
        try #require(response.status == 202, "the \(event) webhook was answered \(response.status)")
    }

    /// A pull request event as GitHub sends it; a fork's head lives in another repository.
    static func pullRequest(
        _ number: Int, action: String, head: String, branch: String, author: String, fork: Bool = false,
        mergeCommit: String? = nil
    ) -> Data {
        var pullRequest: [String: Any] = [
            "head": ["sha": head, "ref": branch, "repo": ["full_name": fork ? "mallory/churn" : "acme/churn"]],
            "base": ["ref": "main", "repo": ["full_name": "acme/churn"]], "user": ["login": author],
            "merged": mergeCommit != nil,
        ]
        pullRequest["merge_commit_sha"] = mergeCommit
        return try! JSONSerialization.data(withJSONObject: ["action": action, "number": number, "pull_request": pullRequest])
    }

    /// A comment on pull request `number` as GitHub sends it.
    static func comment(_ text: String, on number: Int, by login: String, association: String = "MEMBER") -> Data {
        try! JSONSerialization.data(withJSONObject: [
            "action": "created",
            "issue": ["number": number, "pull_request": ["url": "https://api.github.com/repos/acme/churn/pulls/\(number)"]],
            "comment": ["body": text, "user": ["login": login], "author_association": association],
        ])
    }

    /// `method path` on the API as the holder of `login`'s token (nobody's, when nil).
    func api(_ method: HTTPMethod = .get, _ path: String, as login: String? = "victor", body: String? = nil) async throws -> HTTPResponse {
        var headers = [HTTPHeader("Content-Type", "application/json")]
        if let token = login.flatMap({ Self.tokens[$0] }) {
            headers.append(HTTPHeader(name: "Authorization", value: "Bearer \(token)", isSecret: true))
        }
        return try await http.send(HTTPRequest(method: method, url: server.base + path, headers: headers, body: body.map { Data($0.utf8) }))
    }

    /// The JSON answer of `GET path`, as victor.
    func get<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        let response = try await api(.get, path)
        try #require(response.isSuccess, "GET \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: response.body)
    }

    /// The runs of `commit` once `count` of them have ended, oldest first.
    func runs(of commit: String, count: Int = 1, within limit: Duration = .seconds(90)) async throws -> [Run] {
        var runs: [Run] = []
        try await server.process.waitUntil("\(count) run(s) of \(commit.prefix(12)) end", within: limit) {
            runs = try await get("/api/v1/runs?limit=100", as: [Run].self).filter { $0.commit == commit }.reversed()
            return runs.filter { $0.state != .running }.count >= count
        }
        return runs
    }

    /// The one run of `commit`, once it has ended.
    func run(of commit: String) async throws -> Run {
        try #require(try await runs(of: commit).last)
    }

    /// Waits until `condition` holds.
    func eventually(_ what: String, within limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        try await server.process.waitUntil(what, within: limit, condition)
    }

    func promotions() async throws -> [Promotion] {
        try await get("/api/v1/promotions?all=true")
    }

    func versions(of model: String = "churn") async throws -> [ModelVersion] {
        let response = try await api(.get, "/api/v1/models/\(model)/versions")
        guard response.status != 404 else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode([ModelVersion].self, from: response.body)
    }

    /// A step's log as the API serves it.
    func log(of run: Run, _ step: String) async throws -> String {
        String(decoding: try await api(.get, "/api/v1/runs/\(run.id.rawValue)/steps/\(step)/log").body, as: UTF8.self)
    }

    /// How many commits the deploy repository's `main` has.
    func deployCommits() throws -> Int {
        Int(try deploy.git(["rev-list", "--count", "main"])) ?? 0
    }

    /// Fails the test when `text` shows any secret the server holds.
    func expectNoSecret(in text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets where text.contains(secret) {
            Issue.record("a secret of the server's appears: \(text.prefix(2000))", sourceLocation: sourceLocation)
        }
    }

    func stop() {
        #expect(server.stop() == 0)
    }
}
