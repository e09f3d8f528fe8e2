import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import SluiceServer
import SluiceTesting
import Synchronization

@testable import SluiceCore

/// A real Sluice server on a loopback port, with a fresh store and a log that tests can read.
struct ServerHarness {
    static let gitHubSecret = "gh-webhook-secret-3141"
    static let gitLabToken = "gl-token-2718"
    static let gitLabSigningKey = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
    static let lakeToken = "lake-bearer-1618"
    static let alertmanagerToken = "am-bearer-1414"
    static var secrets: [String] { [gitHubSecret, gitLabToken, gitLabSigningKey, lakeToken, alertmanagerToken] }

    /// The `templates/` folder of this checkout.
    static let templates = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("templates")

    let scratch: ScratchDirectory
    let config: ServerConfig
    /// The whole service, built as `sluice serve` builds it.
    let service: SluiceService
    var store: Store { service.store }
    var ledger: PromotionLedger { service.ledger }
    /// The server's time: it moves only when a test advances it.
    let clock = ManualClock()
    let log = LogCapture()

    /// With `postgres`, the store is on that PostgreSQL database instead of SQLite in the scratch
    /// folder; with `artifacts`, artifacts are kept there instead of in the scratch folder; with
    /// `artifactBucket`, in that bucket, cached in the scratch folder.
    init(
        maxBodyBytes: Int = ServerConfig.defaultMaxBodyBytes, auth: AuthConfig? = nil, metrics: MetricsConfig? = nil,
        postgres: PostgresLocation? = nil, artifacts: URL? = nil, artifactBucket: S3Location? = nil
    ) async throws {
        scratch = try ScratchDirectory("server-tests")
        config = ServerConfig(
            listen: ListenAddress(host: "127.0.0.1", port: 0),
            stateDirectory: scratch.url,
            maxBodyBytes: maxBodyBytes,
            projects: [
                ProjectConfig(
                    name: "churn", forge: .github, repo: "https://github.com/acme/churn.git",
                    webhookSecret: Secret(Self.gitHubSecret), branches: ["main", "release/*"]),
                ProjectConfig(
                    name: "fraud", forge: .gitlab, repo: "https://gitlab.com/acme/fraud.git",
                    webhookSecret: Secret(Self.gitLabToken)),
                ProjectConfig(
                    name: "signed", forge: .gitlab, repo: "https://gitlab.com/acme/signed.git",
                    webhookSecret: Secret(Self.gitLabToken), signingSecret: Secret(Self.gitLabSigningKey)),
            ],
            datasets: [DatasetConfig(name: "transactions", match: "s3://lake/transactions/*")],
            dataSources: [DataSourceConfig(name: "lake", kind: .sluice, credential: .bearerToken(Secret(Self.lakeToken)))],
            alertmanager: AlertmanagerConfig(bearerToken: Secret(Self.alertmanagerToken)),
            auth: auth, metrics: metrics, postgres: postgres, artifactsDirectory: artifacts,
            artifactBucket: artifactBucket)
        // A short lock wait: the locked-store test waits it out; production waits 5 s.
        service = try await SluiceService.build(
            config: config, templates: Self.templates, clock: clock, logger: log.logger, lockTimeout: .milliseconds(250))
    }

    /// The server's router, as `sluice serve` builds it.
    var router: Router<SluiceRequestContext> { service.router }

    /// Runs `body` against the live server.
    func run(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await service.application().test(.live, body)
    }

    /// A signed GitHub delivery.
    static func gitHub(
        _ client: some TestClientProtocol, project: String = "churn", event: String = "push", delivery: String,
        body: Data, signature: String? = nil
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/hooks/github/\(project)", method: .post,
            headers: [
                HTTPField.Name("X-GitHub-Event")!: event, HTTPField.Name("X-GitHub-Delivery")!: delivery,
                HTTPField.Name("X-Hub-Signature-256")!: signature ?? WebhookSigner.gitHubSignature(body, secret: gitHubSecret),
                .contentType: "application/json",
            ],
            body: ByteBuffer(bytes: body))
    }

    /// A GitHub push body for `ref` with distinct commit ids.
    static func pushBody(ref: String = "refs/heads/main", after: String = String(repeating: "b", count: 40)) -> Data {
        Data(
            """
            {"ref": "\(ref)", "before": "\(String(repeating: "a", count: 40))", "after": "\(after)",
             "created": false, "deleted": false, "forced": false, "pusher": {"name": "alice"},
             "repository": {"full_name": "acme/churn"}}
            """.utf8)
    }
}

/// Collects every log line a server writes, to prove what never appears in them.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "sluice-test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(merged)")
        }
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    var text: String { String(buffer: body) }
}
