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

    static let s3 = ConfigFixture.minimal + """

        artifacts:
          s3:
            endpoint: https://s3.eu-west-1.amazonaws.com
            bucket: acme-models
            prefix: sluice/prod
            region: eu-west-1
            access_key_env: SLUICE_S3_ACCESS_KEY
            secret_key_env: SLUICE_S3_SECRET_KEY

        """
    static let s3Environment = ConfigFixture.designEnvironment.merging(
        ["SLUICE_S3_ACCESS_KEY": "AKIDEXAMPLE", "SLUICE_S3_SECRET_KEY": "wJalrXUtnFEMI-secret"]) { $1 }

    @Test("artifacts.s3 names the bucket, its key prefix and region, and reads its keys from the environment")
    func artifactsBucket() throws {
        let config = try ConfigFixture.parse(Self.s3, environment: Self.s3Environment)
        let bucket = try #require(config.artifactBucket)
        #expect(bucket.endpoint.absoluteString == "https://s3.eu-west-1.amazonaws.com")
        #expect(bucket.bucket == "acme-models")
        #expect(bucket.prefix == "sluice/prod/")
        #expect(bucket.region == "eu-west-1")
        #expect(bucket.accessKeyID == "AKIDEXAMPLE")
        #expect(bucket.secretAccessKey.revealed == "wJalrXUtnFEMI-secret")
        #expect(config.secrets.contains { $0.revealed == "wJalrXUtnFEMI-secret" })
        #expect(!bucket.description.contains("secret"))
        // The bucket holds the blobs; state_dir/artifacts is this machine's cache of them.
        #expect(config.artifactsDirectory.path.hasSuffix("/.sluice/artifacts"))
        #expect(config.storeLocation.artifactBucket?.bucket == "acme-models")
        let defaults = try ConfigFixture.parse(
            Self.s3.replacingOccurrences(of: "    prefix: sluice/prod\n    region: eu-west-1\n", with: ""),
            environment: Self.s3Environment)
        #expect(defaults.artifactBucket?.prefix == "")
        #expect(defaults.artifactBucket?.region == "us-east-1")
    }

    @Test("An artifacts.s3 value that could leave its bucket or break the signature is a problem that says what to write", arguments: [
        ("bucket: acme-models", "bucket: Acme_Models", "artifacts.s3.bucket", "a bucket name has 3 to 63 lower-case letters"),
        ("prefix: sluice/prod", "prefix: ../other-team", "artifacts.s3.prefix", "expected a key prefix such as sluice/"),
        ("prefix: sluice/prod", "prefix: a//b", "artifacts.s3.prefix", "expected a key prefix such as sluice/"),
        ("region: eu-west-1", "region: \"eu:west\"", "artifacts.s3.region", "expected a region such as eu-west-1"),
        ("endpoint: https://s3.eu-west-1.amazonaws.com", "endpoint: https://s3.amazonaws.com/acme-models",
         "artifacts.s3.endpoint", "expected the service's address alone"),
        ("endpoint: https://s3.eu-west-1.amazonaws.com", "endpoint: ftp://s3.example.com", "artifacts.s3.endpoint",
         "expected an http:// or https:// URL"),
        ("secret_key_env: SLUICE_S3_SECRET_KEY", "secret_key_env: UNSET_VARIABLE", "artifacts.s3.secret_key_env",
         "environment variable UNSET_VARIABLE (named by artifacts.s3.secret_key_env) is not set"),
    ])
    func badBucket(line: String, replacement: String, keyPath: String, message: String) throws {
        let problem = try #require(
            ConfigFixture.problems(Self.s3.replacingOccurrences(of: line, with: replacement), environment: Self.s3Environment).first)
        #expect(problem.keyPath == keyPath)
        #expect(problem.message.hasPrefix(message), "\(problem.message)")
    }

    @Test("artifacts takes a folder or a bucket, not both, and an s3 section without its keys says which to set")
    func pathOrBucket() throws {
        let both = try #require(
            ConfigFixture.problems(Self.s3.replacingOccurrences(of: "artifacts:\n", with: "artifacts:\n  path: shared\n"),
                                   environment: Self.s3Environment).first)
        #expect(both.keyPath == "artifacts")
        #expect(both.message == "set either path (a folder every replica mounts) or s3 (a bucket they share), not both")
        let empty = ConfigFixture.problems(ConfigFixture.minimal + "\nartifacts: { s3: {} }\n", environment: Self.s3Environment)
        #expect(Set(empty.map(\.keyPath)) == [
            "artifacts.s3.endpoint", "artifacts.s3.bucket", "artifacts.s3.access_key_env", "artifacts.s3.secret_key_env",
        ])
    }
}
