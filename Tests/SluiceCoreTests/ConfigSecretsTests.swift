import Foundation
import Testing

@testable import SluiceCore

@Suite("Keeping secrets out of text")
struct ConfigSecretsTests {
    @Test("A secret never shows its value in description, interpolation, dump or reflection")
    func secretIsRedacted() {
        let secret = Secret("tok-123")
        #expect(secret.description == "<redacted>")
        #expect(secret.debugDescription == "<redacted>")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("tok-123"))
        #expect(Mirror(reflecting: secret).children.isEmpty)
        #expect(secret.revealed == "tok-123")
    }

    @Test("Values that hold secrets print without them")
    func containersAreRedacted() throws {
        let config = try ConfigFixture.parse(ConfigFixture.designExample)
        var dumped = ""
        dump(config, to: &dumped)
        let texts = [
            dumped, "\(config)", String(reflecting: config), "\(config.auth!.tokens)",
            "\(config.dataSources[0].credential)", "\(config.projects)",
        ]
        for secret in ConfigFixture.designEnvironment.values {
            for text in texts {
                #expect(!text.contains(secret), "a secret leaked into: \(text)")
            }
        }
        #expect("\(config.auth!.tokens[0])" == "alice (release-manager)")
    }

    @Test("step_secrets_env grants steps variables from the server's environment, and says which is missing")
    func stepSecrets() throws {
        let yaml = ConfigFixture.minimal + "\n    step_secrets_env: { HF_TOKEN: CHURN_HF_TOKEN }\n"
        var environment = ConfigFixture.designEnvironment
        environment["CHURN_HF_TOKEN"] = "hf-secret"
        let config = try ConfigFixture.parse(yaml, environment: environment)
        #expect(config.projects[0].stepSecrets["HF_TOKEN"]?.revealed == "hf-secret")
        #expect(!"\(config.projects[0])".contains("hf-secret"))

        let problems = ConfigFixture.problems(yaml).map(\.description)
        #expect(problems == [
            "sluice.yml:6:35: projects[0].step_secrets_env.HF_TOKEN: environment variable CHURN_HF_TOKEN "
                + "(named by projects[0].step_secrets_env.HF_TOKEN) is not set or empty"
        ])
        let reserved = ConfigFixture.minimal + "\n    step_secrets_env: { SLUICE_OUTPUT: CHURN_HF_TOKEN }\n"
        #expect(ConfigFixture.problems(reserved, environment: environment).map(\.keyPath)
            == ["projects[0].step_secrets_env.SLUICE_OUTPUT"])
    }

    @Test("Constant-time comparison accepts only the exact value")
    func constantTimeComparison() {
        let secret = Secret("abc")
        #expect(secret.isEqual(toPresented: "abc"))
        #expect(!secret.isEqual(toPresented: "abd"))
        #expect(!secret.isEqual(toPresented: "ab"))
        #expect(!secret.isEqual(toPresented: "abcd"))
        #expect(!secret.isEqual(toPresented: ""))
    }

    @Test("Malformed token entries are reported by position and never echo the token", arguments: [
        "alice:viewer:tok-123,tok-123",
        "alice:superuser:tok-123",
        "tok-123:viewer",
        "alice::tok-123",
        "alice:viewer:",
        ":viewer:tok-123",
        "alice:viewer:tok-123\nalice:admin:tok-456",
    ])
    func malformedTokenEntries(value: String) throws {
        var environment = ConfigFixture.designEnvironment
        environment["SLUICE_API_TOKENS"] = value
        let problems = ConfigFixture.problems(ConfigFixture.designExample, environment: environment)
        let text = ConfigError(problems: problems).description
        #expect(problems.count == 1)
        #expect(problems.first?.keyPath == "auth.tokens_env")
        #expect(problems.first?.line == 34)
        #expect(text.contains("SLUICE_API_TOKENS"))
        #expect(!text.contains("tok-123"))
        #expect(!text.contains("tok-456"))
    }

    @Test("A token variable with only separators holds no entries")
    func tokenVariableWithoutEntries() {
        var environment = ConfigFixture.designEnvironment
        environment["SLUICE_API_TOKENS"] = " ,\n, "
        let problems = ConfigFixture.problems(ConfigFixture.designExample, environment: environment)
        #expect(problems.map(\.message) == ["environment variable SLUICE_API_TOKENS holds no name:role:token entries"])
    }

    @Test("An _env key holding something other than a variable name is refused without echoing it")
    func secretPastedIntoEnvKey() {
        let yaml = """
            projects:
              - name: churn
                forge: github
                repo: https://github.com/acme/churn.git
                webhook_secret_env: "s3cr3t value!"
            """
        let problems = ConfigFixture.problems(yaml)
        #expect(problems.map(\.keyPath) == ["projects[0].webhook_secret_env"])
        #expect(problems.first?.code == .invalidValue)
        #expect(!ConfigError(problems: problems).description.contains("s3cr3t"))
    }

    @Test("Roles are ordered by privilege")
    func rolesAreOrdered() {
        #expect(APIRole.viewer < .engineer)
        #expect(APIRole.engineer < .releaseManager)
        #expect(APIRole.releaseManager < .admin)
        #expect(APIRole(rawValue: "release-manager") == .releaseManager)
    }
}
