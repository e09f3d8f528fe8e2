import Foundation
import Testing

@testable import SluiceCore

@Suite("Reporting problems in the server config")
struct ConfigProblemsTests {
    let environment = ConfigFixture.designEnvironment

    @Test("An unknown key reports file, line, column, key path and the closest known key")
    func unknownKeyWithSuggestion() throws {
        let yaml = """
            projects:
              - name: churn
                forge: github
                repo: https://github.com/acme/churn.git
                webhook_secret_env: CHURN_WEBHOOK_SECRET
              - name: fraud
                forge: github
                repo: https://github.com/acme/fraud.git
                webhok_secret_env: FRAUD_SECRET
            """
        let problems = ConfigFixture.problems(yaml)
        let unknown = try #require(problems.first { $0.code == .unknownKey })
        #expect(unknown.line == 9)
        #expect(unknown.column == 5)
        #expect(unknown.keyPath == "projects[1].webhok_secret_env")
        #expect(
            unknown.description
                == "sluice.yml:9:5: projects[1].webhok_secret_env: unknown key; did you mean 'webhook_secret_env'?"
        )
        // The misspelt key also leaves the real one missing.
        #expect(problems.contains { $0.code == .missingKey && $0.keyPath == "projects[1].webhook_secret_env" })
    }

    @Test("An unknown key far from every known key lists the known keys instead of guessing")
    func unknownKeyWithoutSuggestion() {
        let problems = ConfigFixture.problems(ConfigFixture.minimal + "\nzzzzzzzz: 1\n")
        #expect(problems.count == 1)
        #expect(problems.first?.keyPath == "zzzzzzzz")
        #expect(problems.first?.message.contains("expected one of listen, public_url") == true)
    }

    @Test("Several problems in one file are all reported, in document order")
    func severalProblems() throws {
        let yaml = """
            listen: localhost:99999
            max_body_bytes: lots
            projects:
              - name: Churn
                forge: githib
                repo: ftp://example.com/churn.git
            executor: { kind: remote, max_parallel: 0, sandbox: docker, lease: 1s }
            """
        let problems = ConfigFixture.problems(yaml, environment: [:])
        let summary = problems.map { "\($0.line):\($0.column) \($0.keyPath)" }
        #expect(
            summary == [
                "1:9 listen",
                "2:17 max_body_bytes",
                "4:11 projects[0].name",
                "5:12 projects[0].forge",
                "6:11 projects[0].repo",
                "7:19 executor.kind",
                "7:41 executor.max_parallel",
                "7:53 executor.sandbox",
                "7:68 executor.lease",
            ]
        )
        let error = ConfigError(problems: problems)
        #expect(error.description.split(separator: "\n").count == problems.count)
        #expect(problems[3].message.contains("did you mean 'github'?"))
        #expect(problems[3].message.contains("github, gitlab, generic"))
        #expect(problems[6].message.contains("1 to 64"))
        #expect(problems[7].message.contains("auto, bubblewrap, none"))
        #expect(problems[8].message.contains("must be from 3s to 1h"))
    }

    @Test("A missing environment variable names the variable and the key, at the key's position")
    func missingEnvironmentVariable() throws {
        var environment = environment
        environment["CHURN_WEBHOOK_SECRET"] = nil
        let problems = ConfigFixture.problems(ConfigFixture.designExample, environment: environment)
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.code == .missingEnvironmentVariable)
        #expect(problem.keyPath == "projects[0].webhook_secret_env")
        #expect((problem.line, problem.column) == (8, 5))
        #expect(
            problem.description
                == "sluice.yml:8:5: projects[0].webhook_secret_env: environment variable CHURN_WEBHOOK_SECRET (named by projects[0].webhook_secret_env) is not set"
        )
    }

    @Test("An empty environment variable counts as missing")
    func emptyEnvironmentVariable() throws {
        var environment = environment
        environment["LAKE_TOKEN"] = ""
        let problems = ConfigFixture.problems(ConfigFixture.designExample, environment: environment)
        #expect(problems.count == 1)
        #expect(problems.first?.code == .missingEnvironmentVariable)
        #expect(problems.first?.keyPath == "data_sources[0].bearer_token_env")
        #expect(problems.first?.message.contains("LAKE_TOKEN") == true)
    }

    @Test("Every variable the file names is checked, not just the first")
    func everyMissingVariable() {
        let problems = ConfigFixture.problems(ConfigFixture.designExample, environment: [:])
        #expect(
            problems.map(\.keyPath) == [
                "projects[0].webhook_secret_env", "projects[0].token_env", "data_sources[0].bearer_token_env",
                "alertmanager.bearer_token_env", "auth.tokens_env",
            ]
        )
        #expect(problems.allSatisfy { $0.code == .missingEnvironmentVariable })
    }

    @Test("A value of the wrong type says what was expected and what was found")
    func wrongTypes() {
        let yaml = """
            max_body_bytes: "1024"
            state_dir: [a, b]
            projects:
              name: churn
            datasets: transactions
            executor: { max_parallel: 2.5 }
            """
        let problems = ConfigFixture.problems(yaml)
        let byPath = Dictionary(problems.map { ($0.keyPath, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byPath["max_body_bytes"]?.message == "expected an integer (a positive number of bytes), got '1024'")
        #expect(byPath["state_dir"]?.message == "expected a string, got a list")
        #expect(byPath["projects"]?.message == "expected a list, got a mapping")
        #expect(byPath["datasets"]?.message == "expected a list, got 'transactions'")
        #expect(byPath["executor.max_parallel"]?.message.hasPrefix("expected an integer") == true)
        #expect(problems.allSatisfy { $0.code == .wrongType })
    }

    @Test("A document that is not a mapping, or is empty, is refused with a position")
    func notAMapping() {
        let list = ConfigFixture.problems("- a\n- b\n")
        #expect(list.count == 1)
        #expect(list.first?.code == .wrongType)
        let empty = ConfigFixture.problems("# nothing here\n")
        #expect(empty.first?.keyPath == "projects")
    }

    @Test("Projects are required, and there must be at least one")
    func projectsRequired() {
        #expect(ConfigFixture.problems("listen: 0.0.0.0:80\n").map(\.keyPath) == ["projects"])
        #expect(ConfigFixture.problems("projects: []\n").map(\.code) == [.invalidValue])
    }

    @Test("Invalid forges, kinds, ports and names name what is allowed")
    func invalidValues() {
        let yaml = """
            listen: "::1:8080"
            public_url: ftp://sluice.example.com
            projects:
              - name: -churn
                forge: bitbucket
                repo: github.com/acme/churn
            data_sources:
              - name: Lake
                kind: azure
                bearer_token_env: LAKE_TOKEN
            """
        let problems = ConfigFixture.problems(yaml)
        let messages = Dictionary(problems.map { ($0.keyPath, $0.message) }, uniquingKeysWith: { first, _ in first })
        #expect(messages["listen"]?.contains("IPv6 address needs brackets") == true)
        #expect(messages["public_url"]?.contains("http:// or https://") == true)
        #expect(messages["projects[0].name"]?.contains("lowercase letters, digits") == true)
        #expect(messages["projects[0].forge"] == "unknown forge 'bitbucket'; expected one of github, gitlab, generic")
        #expect(messages["projects[0].repo"]?.contains("git@host:path") == true)
        #expect(messages["data_sources[0].name"]?.contains("not a valid name") == true)
        #expect(messages["data_sources[0].kind"] == "unknown data source kind 'azure'; expected one of sluice, s3, gcs")
        #expect(problems.allSatisfy { $0.code == .invalidValue })
    }

    @Test("Ports outside 0 to 65535 and malformed listen addresses are refused", arguments: [
        "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:", ":8080", "127.0.0.1", "[::1]8080", "[::1:8080", "host:+80",
    ])
    func invalidListen(listen: String) {
        let problems = ConfigFixture.problems("listen: \"\(listen)\"\n" + ConfigFixture.minimal)
        #expect(problems.map(\.keyPath) == ["listen"])
    }

    @Test("Valid listen addresses give host and port", arguments: [
        ("0.0.0.0:80", "0.0.0.0", 80), ("localhost:65535", "localhost", 65535), ("[::]:0", "::", 0),
    ])
    func validListen(listen: String, host: String, port: Int) throws {
        let config = try ConfigFixture.parse("listen: \"\(listen)\"\n" + ConfigFixture.minimal)
        #expect(config.listen == ListenAddress(host: host, port: port))
        #expect(config.listen.description == listen)
    }

    @Test("Duplicate project, dataset and data source names are reported at the second one")
    func duplicateNames() {
        let yaml = """
            projects:
              - { name: churn, forge: generic, repo: "file:///r/a.git" }
              - { name: churn, forge: generic, repo: "file:///r/b.git", models: [other] }
            datasets:
              - { name: tx, match: "s3://lake/tx/*" }
              - { name: tx, match: "s3://lake/tx2/*" }
            data_sources:
              - { name: lake, kind: s3, bearer_token_env: LAKE_TOKEN }
              - { name: lake, kind: gcs, bearer_token_env: LAKE_TOKEN }
            """
        let problems = ConfigFixture.problems(yaml)
        #expect(problems.map(\.keyPath) == ["projects[1].name", "datasets[1].name", "data_sources[1].name"])
        #expect(problems.map(\.line) == [3, 6, 9])
        #expect(problems.allSatisfy { $0.code == .duplicate })
        #expect(problems.first?.message == "project name 'churn' is already used by projects[0]")
    }

    @Test("A model owned by two projects is reported")
    func modelOwnedTwice() {
        let yaml = """
            projects:
              - { name: churn, forge: generic, repo: "file:///r/a.git" }
              - { name: churn-v2, forge: generic, repo: "file:///r/b.git", models: [churn-v2, churn] }
            """
        let problems = ConfigFixture.problems(yaml)
        #expect(problems.count == 1)
        #expect(problems.first?.keyPath == "projects[1].models")
        #expect(problems.first?.message.contains("model 'churn' is already owned by projects[0]") == true)
    }

    @Test("A signing secret on a project that is not on GitLab is a conflict")
    func signingSecretOutsideGitLab() {
        let yaml = ConfigFixture.minimal + "\n    signing_secret_env: CHURN_WEBHOOK_SECRET\n"
        let problems = ConfigFixture.problems(yaml)
        #expect(problems.map(\.code) == [.conflict])
        #expect(problems.first?.keyPath == "projects[0].signing_secret_env")
        #expect(problems.first?.message.contains("only gitlab projects") == true)
    }

    @Test("GitHub and GitLab projects need a webhook secret; generic ones do not")
    func webhookSecretRequired() {
        let yaml = """
            projects:
              - { name: a, forge: github, repo: "https://github.com/acme/a.git" }
              - { name: b, forge: gitlab, repo: "https://gitlab.com/acme/b.git" }
              - { name: c, forge: generic, repo: "https://git.example.com/c.git" }
            """
        let problems = ConfigFixture.problems(yaml)
        #expect(problems.map(\.keyPath) == ["projects[0].webhook_secret_env", "projects[1].webhook_secret_env"])
        #expect(problems.allSatisfy { $0.code == .missingKey })
    }

    @Test("A data source needs exactly one of a bearer token and an HMAC secret")
    func dataSourceCredentials() {
        let yaml = ConfigFixture.minimal + """

            data_sources:
              - { name: both, kind: s3, bearer_token_env: LAKE_TOKEN, hmac_secret_env: LAKE_TOKEN }
              - { name: neither, kind: s3 }
            """
        let problems = ConfigFixture.problems(yaml)
        #expect(problems.map(\.code) == [.conflict, .missingKey])
        #expect(problems.map(\.keyPath) == ["data_sources[0].hmac_secret_env", "data_sources[1]"])
    }

    @Test("A deploy path with '..' or an absolute path, or without its placeholders, is refused", arguments: [
        "environments/../{environment}/{model}.yaml", "../{environment}/{model}.yaml", "/etc/{environment}/{model}.yaml",
        "environments/{model}.yaml", "environments/{environment}.yaml",
    ])
    func invalidDeployPath(path: String) {
        let problems = ConfigFixture.problems(ConfigFixture.minimal + "\ndeploy:\n  repo: https://github.com/acme/deploy.git\n  path: \"\(path)\"\n")
        #expect(problems.count == 1)
        #expect(problems.first?.keyPath == "deploy.path")
        #expect(problems.first?.line == 8)
        if path.contains("..") {
            #expect(problems.first?.message.contains("no '..'") == true)
        }
    }

    @Test("A deploy section without a repo is refused")
    func deployNeedsRepo() {
        let problems = ConfigFixture.problems(ConfigFixture.minimal + "\ndeploy:\n  branch: main\n")
        #expect(problems.map(\.keyPath) == ["deploy.repo"])
        #expect(problems.first?.code == .missingKey)
    }

    @Test("A YAML syntax error is one problem at the parser's position")
    func syntaxError() throws {
        let yaml = """
            projects:
              - name: churn
                forge: [github
            listen: 1
            """
        let problems = ConfigFixture.problems(yaml)
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.code == .syntax)
        #expect(problem.line >= 3)
        #expect(problem.column > 0)
        #expect(problem.description.hasPrefix("sluice.yml:\(problem.line):\(problem.column): invalid YAML: "))
    }

    @Test("A key written twice in one mapping is a syntax problem with a position")
    func duplicatedKey() throws {
        let problems = ConfigFixture.problems("listen: a:1\nlisten: b:2\n" + ConfigFixture.minimal)
        #expect(problems.count == 1)
        #expect(problems.first?.code == .syntax)
        #expect(problems.first?.message.contains("'listen'") == true)
        #expect(problems.first?.line == 1)
    }

    @Test("Clone URLs with embedded credentials are refused without echoing them")
    func credentialsInRepoURL() {
        let yaml = """
            projects:
              - { name: a, forge: generic, repo: "https://bot:hunter2@github.com/acme/a.git" }
            """
        let problems = ConfigFixture.problems(yaml)
        #expect(problems.map(\.keyPath) == ["projects[0].repo"])
        #expect(!ConfigError(problems: problems).description.contains("hunter2"))
    }

    @Test("Accepted clone URL forms", arguments: [
        "https://github.com/acme/a.git", "http://git.local/a.git", "ssh://git@host:2222/a.git",
        "git@github.com:acme/a.git", "file:///srv/repos/a.git",
    ])
    func acceptedRepoURLs(repo: String) throws {
        let config = try ConfigFixture.parse("projects:\n  - { name: a, forge: generic, repo: \"\(repo)\" }\n")
        #expect(config.projects.first?.repo == repo)
    }
}

extension ConfigProblemsTests {
    @Test("A duplicate name is reported even when the first entry has problems of its own")
    func duplicateNameBesideOtherProblems() {
        let yaml = """
            projects:
              - { name: churn, forge: githb, repo: "file:///r/a.git" }
              - { name: churn, forge: generic, repo: "file:///r/b.git", models: [b] }
            """
        let problems = ConfigFixture.problems(yaml)
        #expect(problems.map(\.keyPath) == ["projects[0].forge", "projects[1].name"])
    }
}
