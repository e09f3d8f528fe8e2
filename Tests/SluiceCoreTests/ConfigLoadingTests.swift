import Foundation
import Testing

@testable import SluiceCore

/// Config texts and environments shared by the config tests.
enum ConfigFixture {
    /// The server config from DESIGN.md, as an operator would write it.
    static let designExample = """
        listen: 127.0.0.1:8080
        public_url: https://sluice.example.com   # how forges and clusters reach this server
        state_dir: .sluice                  # sqlite database, mirrors, run directories, artifact store
        projects:
          - name: churn
            forge: github                   # github | gitlab | generic
            repo: https://github.com/acme/churn.git
            webhook_secret_env: CHURN_WEBHOOK_SECRET
            token_env: GITHUB_TOKEN         # for clone, status and comments; never logged
            models: [churn]                 # the registry models this project may register and promote
            environments:                   # protection rules: the only source of promotion policy
              - name: staging
                auto: true
              - name: production
                approvals: 1                # distinct approvers needed
                approvers: [alice, bob]     # forge logins
            gate:                           # a floor every candidate of this project must also pass
              - { metric: auc, min: 0.75 }
        deploy:
          repo: https://github.com/acme/deploy.git
          branch: main
          path: environments/{environment}/{model}.yaml
        datasets:
          - name: transactions
            match: https://data.example.com/transactions*   # data events for matching URIs retrain subscribers
        data_sources:                       # who may POST /hooks/data/{name}
          - name: lake
            kind: s3                        # sluice | s3 | gcs
            bearer_token_env: LAKE_TOKEN    # or hmac_secret_env
        alertmanager:
          bearer_token_env: ALERTMANAGER_TOKEN
        executor: { kind: local, max_parallel: 2, sandbox: auto }
        auth:
          tokens_env: SLUICE_API_TOKENS     # name:role:token entries; roles: viewer, engineer, release-manager, admin
        """

    static let designEnvironment = [
        "CHURN_WEBHOOK_SECRET": "whs-churn",
        "GITHUB_TOKEN": "ghp-token",
        "LAKE_TOKEN": "lake-token",
        "ALERTMANAGER_TOKEN": "am-token",
        "SLUICE_API_TOKENS": "alice:release-manager:tok-alice, bob:viewer:tok-bob\nci:engineer:tok:with:colons",
    ]

    static let minimal = """
        projects:
          - name: churn
            forge: github
            repo: https://github.com/acme/churn.git
            webhook_secret_env: CHURN_WEBHOOK_SECRET
        """

    static let base = URL(fileURLWithPath: "/srv/sluice", isDirectory: true)

    static func parse(_ yaml: String, environment: [String: String] = designEnvironment) throws(ConfigError) -> ServerConfig {
        try ServerConfig.parse(yaml, file: "sluice.yml", environment: environment, baseDirectory: base)
    }

    /// The problems a config must produce; fails the test if it parses.
    static func problems(
        _ yaml: String,
        environment: [String: String] = designEnvironment,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [ConfigProblem] {
        do {
            _ = try parse(yaml, environment: environment)
            Issue.record("expected the config to be refused", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.problems
        }
    }
}

@Suite("Loading the server config")
struct ConfigLoadingTests {
    @Test("The DESIGN.md example parses with its environment and gives the written values")
    func designExample() throws {
        let config = try ConfigFixture.parse(ConfigFixture.designExample)

        #expect(config.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(config.publicURL == URL(string: "https://sluice.example.com"))
        #expect(config.stateDirectory.path == "/srv/sluice/.sluice")
        #expect(config.maxBodyBytes == 26_214_400)

        #expect(config.projects.count == 1)
        let churn = try #require(config.project(named: "churn"))
        #expect(churn.forge == .github)
        #expect(churn.repo == "https://github.com/acme/churn.git")
        #expect(churn.webhookSecret?.revealed == "whs-churn")
        #expect(churn.token?.revealed == "ghp-token")
        #expect(churn.signingSecret == nil)
        #expect(churn.branches == nil)
        #expect(churn.models == ["churn"])

        let deploy = try #require(config.deploy)
        #expect(deploy.repo == "https://github.com/acme/deploy.git")
        #expect(deploy.branch == "main")
        #expect(deploy.manifestPath(environment: "production", model: "churn") == "environments/production/churn.yaml")
        #expect(deploy.token == nil)

        #expect(config.datasets.map(\.name) == ["transactions"])
        let lake = try #require(config.dataSource(named: "lake"))
        #expect(lake.kind == .s3)
        guard case let .bearerToken(token) = lake.credential else {
            Issue.record("expected a bearer token, got \(lake.credential)")
            return
        }
        #expect(token.revealed == "lake-token")
        #expect(config.alertmanager?.bearerToken.revealed == "am-token")
        #expect(config.executor == ExecutorConfig(kind: .local, maxParallel: 2, sandbox: .auto))

        let auth = try #require(config.auth)
        #expect(auth.tokensVariable == "SLUICE_API_TOKENS")
        #expect(auth.tokens.map(\.name) == ["alice", "bob", "ci"])
        #expect(auth.tokens.map(\.role) == [.releaseManager, .viewer, .engineer])
        #expect(auth.tokens.map(\.token.revealed) == ["tok-alice", "tok-bob", "tok:with:colons"])
        #expect(auth.token(matching: "tok-bob")?.name == "bob")
        #expect(auth.token(matching: "tok-bo") == nil)
    }

    @Test("A config with only one project gets every default")
    func minimalConfigGetsDefaults() throws {
        let config = try ConfigFixture.parse(ConfigFixture.minimal, environment: ["CHURN_WEBHOOK_SECRET": "s"])

        #expect(config.listen == .default)
        #expect(config.listen.host == "127.0.0.1")
        #expect(config.listen.port == 8080)
        #expect(config.publicURL == nil)
        #expect(config.stateDirectory.path == "/srv/sluice/.sluice")
        #expect(config.maxBodyBytes == 25 * 1024 * 1024)
        #expect(config.deploy == nil)
        #expect(config.datasets.isEmpty)
        #expect(config.dataSources.isEmpty)
        #expect(config.alertmanager == nil)
        #expect(config.executor == ExecutorConfig(kind: .local, maxParallel: 2, sandbox: .auto))
        #expect(config.auth == nil)
        #expect(config.projects.map(\.name) == ["churn"])
    }

    @Test("A deploy section with only a repo gets the default branch and path")
    func deployDefaults() throws {
        let config = try ConfigFixture.parse(ConfigFixture.minimal + "\ndeploy:\n  repo: git@github.com:acme/deploy.git\n")
        #expect(config.deploy?.repo == "git@github.com:acme/deploy.git")
        #expect(config.deploy?.branch == "main")
        #expect(config.deploy?.path == "environments/{environment}/{model}.yaml")
    }

    @Test("Every optional key is read when present")
    func everyOptionalKey() throws {
        let yaml = """
            listen: "[::1]:0"
            max_body_bytes: 1024
            state_dir: /var/lib/sluice
            projects:
              - name: fraud
                forge: gitlab
                repo: ssh://git@gitlab.example.com/ml/fraud.git
                webhook_secret_env: FRAUD_SECRET
                signing_secret_env: FRAUD_SIGNING
                branches: ["main", "release/*"]
                models: [fraud-small, fraud-large]
              - name: local.demo
                forge: generic
                repo: file:///srv/repos/demo.git
            data_sources:
              - name: own
                kind: sluice
                hmac_secret_env: OWN_HMAC
            executor:
              max_parallel: 64
              sandbox: bubblewrap
              lease: 2m
            """
        let environment = ["FRAUD_SECRET": "a", "FRAUD_SIGNING": "whsec_b", "OWN_HMAC": "c"]
        let config = try ConfigFixture.parse(yaml, environment: environment)

        #expect(config.listen == ListenAddress(host: "::1", port: 0))
        #expect(config.listen.description == "[::1]:0")
        #expect(config.maxBodyBytes == 1024)
        #expect(config.stateDirectory.path == "/var/lib/sluice")
        let fraud = try #require(config.project(named: "fraud"))
        #expect(fraud.signingSecret?.revealed == "whsec_b")
        #expect(fraud.models == ["fraud-small", "fraud-large"])
        #expect(config.project(owningModel: "fraud-large")?.name == "fraud")
        #expect(config.project(owningModel: "demo") == nil)
        #expect(config.project(owningModel: "local.demo")?.name == "local.demo")
        #expect(config.project(named: "local.demo")?.webhookSecret == nil)
        guard case let .hmacSecret(secret)? = config.dataSource(named: "own")?.credential else {
            Issue.record("expected an HMAC secret")
            return
        }
        #expect(secret.revealed == "c")
        #expect(config.executor == ExecutorConfig(kind: .local, maxParallel: 64, sandbox: .bubblewrap, lease: .seconds(120)))
    }

    @Test("A relative state_dir resolves against the config file's folder, not the working directory")
    func relativeStateDirectory() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-config-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("sluice.yml")
        try (ConfigFixture.minimal + "\nstate_dir: data/../state\n").write(to: file, atomically: true, encoding: .utf8)

        let config = try ServerConfig.load(from: file, environment: ["CHURN_WEBHOOK_SECRET": "s"])

        #expect(config.stateDirectory.standardizedFileURL.path == folder.appendingPathComponent("state").standardizedFileURL.path)
    }

    @Test("A file that does not exist is one problem naming the file")
    func missingFile() {
        let file = URL(fileURLWithPath: "/nonexistent/sluice-\(UUID().uuidString).yml")
        #expect {
            try ServerConfig.load(from: file, environment: [:])
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.problems.count == 1 && error.problems[0].code == .unreadable
                && error.description.hasPrefix(file.path + ": ")
        }
    }
}

@Suite("Loading the server's policy keys")
struct ConfigPolicyTests {
    @Test("Environments, the gate floor, network, data folders, allowed kinds, the metrics and artifact tokens are read")
    func policyKeys() throws {
        let config = try ConfigFixture.parse(
            ConfigFixture.minimal + """

                    environments:
                      - { name: staging, auto: true, namespace: ml-staging }
                      - { name: production, branches: ["release/*"], allow_self_approval: true }
                    gate:
                      - { metric: auc, min: 0.75, max_drop: 0.02 }
                    network: false
                data_folders: [datasets, /srv/shared]
                deploy:
                  repo: https://github.com/acme/deploy.git
                  allowed_kinds: [InferenceService]
                metrics:
                  token_env: METRICS_TOKEN
                  allow: [10.0.0.0/8, "::1"]
                auth:
                  tokens_env: SLUICE_API_TOKENS
                  artifact_token_env: ARTIFACT_TOKEN
                """,
            environment: ConfigFixture.designEnvironment.merging(["METRICS_TOKEN": "m", "ARTIFACT_TOKEN": "a"]) { $1 })
        let project = try #require(config.projects.first)
        #expect(project.environments == [
            EnvironmentPolicy(name: "staging", auto: true, namespace: "ml-staging"),
            EnvironmentPolicy(name: "production", approvals: 1, allowSelfApproval: true, branches: ["release/*"]),
        ])
        #expect(project.gate == [GateRule(metric: "auc", bounds: [.min(0.75), .maxDrop(0.02)])])
        #expect(project.network == false)
        #expect(config.dataFolders.map(\.path) == ["/srv/sluice/datasets", "/srv/shared"])
        #expect(config.deploy?.allowedKinds == ["InferenceService"])
        #expect(config.metrics?.allow.map(\.description) == ["10.0.0.0/8", "::1"])
        #expect(config.metrics?.token?.revealed == "m")
        #expect(config.auth?.artifactToken?.revealed == "a")
        #expect(config.auth?.releaseManagers == ["alice"])
        #expect(config.secrets.map(\.revealed).contains("m") && config.secrets.map(\.revealed).contains("a"))
        let defaults = try ConfigFixture.parse(ConfigFixture.minimal)
        #expect(defaults.projects[0].environments.isEmpty && defaults.projects[0].network)
        #expect(defaults.deploy == nil && defaults.dataFolders.isEmpty && defaults.metrics == nil)
    }

    @Test("An environment's protection must be one that can be met, and say it once", arguments: [
        ("{ name: staging, auto: true, approvals: 1 }", "projects[0].environments[0].approvals: auto: true promotes without approval; remove approvals or set auto: false"),
        ("{ name: production, approvals: 0 }", "projects[0].environments[0].approvals: a protected environment needs at least 1 approval; write auto: true to promote without one"),
        ("{ name: production, approvals: 2, approvers: [bob] }", "projects[0].environments[0].approvals: needs 2 distinct approvals but approvers lists only 1; add forge logins to approvers or lower approvals"),
        ("{ name: production, approvals: 1, approvers: [bob, Bob] }", "projects[0].environments[0].approvers[1]: 'Bob' is listed twice"),
        ("{ name: production, approvals: 2 }", "projects[0].environments[0].approvers: production needs 2 approval(s) and lists no approvers, so release managers decide, but auth.tokens_env holds only 1 release-manager or admin token(s); list forge logins in approvers"),
        ("{ name: production, namespace: Prod_NS }", "projects[0].environments[0].namespace: 'Prod_NS' is not a namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"),
    ])
    func environmentProblems(entry: String, message: String) {
        let yaml = ConfigFixture.minimal + "\n    environments:\n      - \(entry)\nauth:\n  tokens_env: SLUICE_API_TOKENS\n"
        let problems = ConfigFixture.problems(yaml).map { "\($0.keyPath): \($0.message)" }
        #expect(problems == [message])
    }

    @Test("Without auth, an environment that lists no approvers could never be approved, and is refused")
    func noApproversWithoutAuth() {
        let problems = ConfigFixture.problems(ConfigFixture.minimal + "\n    environments: [{ name: production }]\n")
        #expect(problems.map(\.message) == [
            "production needs 1 approval(s) and lists no approvers, so release managers decide, but there is no auth section; list forge logins in approvers",
        ])
    }

    @Test("metrics needs a token or an allow-list of numeric addresses")
    func metricsProblems() {
        #expect(ConfigFixture.problems(ConfigFixture.minimal + "\nmetrics: {}\n").map(\.message) == [
            "set token_env, allow, or both; without them, remove metrics to let API tokens scrape",
        ])
        #expect(ConfigFixture.problems(ConfigFixture.minimal + "\nmetrics: { allow: [prometheus.internal] }\n").map(\.message) == [
            "'prometheus.internal' is not an IP address or CIDR range, as in 10.0.0.0/8 or ::1",
        ])
    }

    @Test("An allow-list range holds the addresses its prefix covers, IPv4-mapped IPv6 included")
    func addressRanges() throws {
        let private10 = try #require(AddressRange("10.0.0.0/8"))
        #expect(private10.contains("10.200.3.4") && !private10.contains("11.0.0.1") && private10.contains("::ffff:10.1.2.3"))
        let host = try #require(AddressRange("127.0.0.1"))
        #expect(host.contains("127.0.0.1") && !host.contains("127.0.0.2"))
        let ula = try #require(AddressRange("fd00::/8"))
        #expect(ula.contains("fd12::1") && !ula.contains("fe80::1") && !ula.contains("10.0.0.1"))
        #expect(AddressRange("10.0.0.0/33") == nil && AddressRange("localhost") == nil)
    }
}
