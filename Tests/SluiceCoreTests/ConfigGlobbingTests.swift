import Testing

@testable import SluiceCore

@Suite("Branch and dataset globbing")
struct ConfigGlobbingTests {
    @Test("A project without branches watches every branch")
    func everyBranch() {
        let project = ProjectConfig(name: "churn", forge: .github, repo: "https://github.com/acme/churn.git")
        #expect(project.watches(branch: "main"))
        #expect(project.watches(branch: "feature/x/y"))
    }

    @Test("Branch globs match whole names, and '*' crosses '/'")
    func branchGlobs() {
        let project = ProjectConfig(
            name: "churn", forge: .github, repo: "https://github.com/acme/churn.git", branches: ["main", "release/*"]
        )
        #expect(project.watches(branch: "main"))
        #expect(project.watches(branch: "release/1.2"))
        #expect(project.watches(branch: "release/2026/q4"))
        #expect(project.watches(branch: "release/"))
        #expect(!project.watches(branch: "mainline"))
        #expect(!project.watches(branch: "old/main"))
        #expect(!project.watches(branch: "releases/1"))
    }

    @Test("Branches parsed from the config are used by watches(branch:)")
    func parsedBranches() throws {
        let config = try ConfigFixture.parse(ConfigFixture.minimal + "\n    branches: [\"main\", \"release/*\"]\n")
        let churn = try #require(config.project(named: "churn"))
        #expect(churn.watches(branch: "release/1"))
        #expect(!churn.watches(branch: "dev"))
    }

    @Test("A dataset matches URIs by a glob over the whole URI")
    func datasetMatches() throws {
        let config = try ConfigFixture.parse(ConfigFixture.designExample)
        let dataset = try #require(config.datasets.first { $0.name == "transactions" })
        #expect(dataset.matches(uri: "https://data.example.com/transactions.csv"))
        #expect(dataset.matches(uri: "https://data.example.com/transactions/2026/11/27.parquet"))
        #expect(dataset.matches(uri: "https://data.example.com/transactions"))
        #expect(!dataset.matches(uri: "https://data.example.com/users.csv"))
        #expect(!dataset.matches(uri: "http://data.example.com/transactions.csv"))
        #expect(config.datasets.filter { $0.matches(uri: "https://data.example.com/transactions.csv") }.map(\.name)
            == ["transactions"])
        #expect(!config.datasets.contains { $0.matches(uri: "s3://other/x") })
    }

    @Test("Glob patterns handle several stars, backtracking and literals", arguments: [
        ("*", "", true), ("*", "anything/at/all", true), ("", "", true), ("", "a", false),
        ("a*b*c", "aXbYc", true), ("a*b*c", "abcabc", true), ("a*b*c", "acb", false),
        ("*.csv", "x.csv.gz", false), ("*.csv*", "x.csv.gz", true), ("s3://b/*/day=*", "s3://b/t/day=1", true),
        ("a**b", "ab", true), ("abc", "abc", true), ("abc", "abcd", false), ("a?c", "abc", false),
    ])
    func globPatterns(pattern: String, text: String, expected: Bool) {
        #expect(GlobPattern(pattern).matches(text) == expected)
    }
}
