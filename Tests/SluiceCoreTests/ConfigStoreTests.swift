import Foundation
import Testing

@testable import SluiceCore

@Suite("The store key: PostgreSQL from a URL in the environment")
struct ConfigStoreTests {
    static let yaml = ConfigFixture.minimal + "\nstore: { url_env: SLUICE_DATABASE_URL }\n"

    static func environment(_ url: String) -> [String: String] {
        ConfigFixture.designEnvironment.merging(["SLUICE_DATABASE_URL": url]) { $1 }
    }

    @Test("Without store the rows stay in SQLite in state_dir; with it, the URL's parts are read as libpq reads them")
    func urlIsRead() throws {
        #expect(try ConfigFixture.parse(ConfigFixture.minimal).postgres == nil)
        let config = try ConfigFixture.parse(
            Self.yaml, environment: Self.environment("postgres://sluice:p%40ss%3Aword@db.internal:6432/registry?sslmode=verify-full"))
        let postgres = try #require(config.postgres)
        #expect(postgres.host == "db.internal")
        #expect(postgres.port == 6432)
        #expect(postgres.user == "sluice")
        #expect(postgres.password?.revealed == "p@ss:word")
        #expect(postgres.database == "registry")
        #expect(postgres.tls == .verifyFull)
        #expect(config.storeLocation.postgres?.database == "registry")
        // The password is a secret: redacted from step output, and never in the URL's description.
        #expect(config.secrets.contains { $0.revealed == "p@ss:word" })
        #expect(postgres.description == "postgres://sluice@db.internal:6432/registry?sslmode=verify-full")
        let defaults = try #require(
            try ConfigFixture.parse(Self.yaml, environment: Self.environment("postgresql://ops@db")).postgres)
        #expect(defaults.port == 5432)
        #expect(defaults.database == "ops")
        #expect(defaults.tls == .prefer)
        #expect(defaults.password == nil)
    }

    @Test("A URL Sluice cannot use is a problem at url_env saying what is wrong, without echoing the URL", arguments: [
        ("mysql://u:secret-pw@db/x", "it is not a postgres:// URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://:secret-pw@db/x", "it names no user (postgres://USER@HOST/DATABASE)"),
        ("postgres://u:secret-pw@db/x?sslmode=sometimes", "its sslmode is not one of disable, prefer, require, verify-ca, verify-full"),
        ("postgres://u:secret-pw@db/x?application_name=a", "it has parameter 'application_name'; Sluice reads only sslmode and sslrootcert"),
    ])
    func badURL(url: String, reason: String) throws {
        let problem = try #require(ConfigFixture.problems(Self.yaml, environment: Self.environment(url)).first)
        #expect(problem.keyPath == "store.url_env")
        #expect(problem.message == "environment variable SLUICE_DATABASE_URL does not hold a usable database URL: \(reason)")
        #expect(!problem.description.contains("secret-pw"))
    }

    @Test("artifacts.path moves the artifact blobs out of state_dir, relative to the config file; without path it says what to set")
    func artifactsPath() throws {
        #expect(try ConfigFixture.parse(ConfigFixture.minimal).artifactsDirectory.path.hasSuffix("/.sluice/artifacts"))
        let config = try ConfigFixture.parse(ConfigFixture.minimal + "\nartifacts: { path: shared/artifacts }\n")
        #expect(config.artifactsDirectory.path.hasSuffix("/shared/artifacts"))
        #expect(config.artifactsDirectory.path.hasPrefix("/"))
        #expect(config.storeLocation.artifactsDirectory == config.artifactsDirectory)
        let missing = try #require(ConfigFixture.problems(ConfigFixture.minimal + "\nartifacts: {}\n").first)
        #expect(missing.keyPath == "artifacts.path")
        #expect(missing.message.hasPrefix("set path to the folder that holds the artifacts"))
    }

    @Test("store without url_env, or naming an unset variable, says what to set")
    func missingURL() throws {
        let missingKey = try #require(ConfigFixture.problems(ConfigFixture.minimal + "\nstore: {}\n").first)
        #expect(missingKey.keyPath == "store.url_env")
        #expect(missingKey.message.contains("set url_env to the environment variable that holds the postgres:// URL"))
        let unset = try #require(ConfigFixture.problems(Self.yaml).first)
        #expect(unset.message == "environment variable SLUICE_DATABASE_URL (named by store.url_env) is not set")
    }
}
