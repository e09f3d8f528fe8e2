import Foundation
import HTTPTypes
import GRDB
import Hummingbird
import HummingbirdTesting
@testable import SluiceCore
import SluiceTesting
import Synchronization
import Testing

@Suite("Webhook endpoints on a live server")
struct HookRoutesTests {
    @Test("A signed GitHub push is stored before the 202 that names its delivery and trigger")
    func signedPushAccepted() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            let response = try await ServerHarness.gitHub(client, delivery: "d-1", body: ServerHarness.pushBody())
            #expect(response.status == .accepted)
            let delivery = try #require(response.json["delivery"] as? Int)
            let trigger = try #require(response.json["trigger"] as? Int)
            let stored = try await harness.store.deliveries(limit: 10)
            #expect(stored.map(\.id) == [Int64(delivery)])
            #expect(stored.first?.triggers.map(\.id) == [Int64(trigger)])
            #expect(stored.first?.outcome == .accepted)

            let listed = try await client.execute(uri: "/api/v1/deliveries?limit=5", method: .get)
            #expect(listed.status == .ok)
            #expect(listed.text.contains("\"event\":\"push\""))
        }
    }

    @Test("The same delivery again answers 200 with the original delivery id and queues nothing")
    func duplicateAnswers200() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            let first = try await ServerHarness.gitHub(client, delivery: "d-dup", body: ServerHarness.pushBody())
            let again = try await ServerHarness.gitHub(client, delivery: "d-dup", body: ServerHarness.pushBody())
            #expect(again.status == .ok)
            #expect(again.json["delivery"] as? Int == first.json["delivery"] as? Int)
            #expect(try await harness.store.queuedTriggers().count == 1)
        }
    }

    @Test("One changed byte is refused with 401 before the body is parsed, and nothing is stored")
    func tamperedBodyRefused() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            let body = ServerHarness.pushBody()
            let signature = WebhookSigner.gitHubSignature(body, secret: ServerHarness.gitHubSecret)
            var tampered = body
            tampered[10] ^= 0x01
            let response = try await ServerHarness.gitHub(client, delivery: "d-2", body: tampered, signature: signature)
            #expect(response.status == .unauthorized)
            let garbage = try await ServerHarness.gitHub(client, delivery: "d-3", body: Data("not json".utf8), signature: signature)
            #expect(garbage.status == .unauthorized)
            #expect(try await harness.store.deliveries(limit: 10).isEmpty)
        }
    }

    @Test("Client faults get 4xx with a message that says what to fix")
    func clientFaults() async throws {
        let harness = try await ServerHarness(maxBodyBytes: 4096)
        try await harness.run { client in
            let unknown = try await ServerHarness.gitHub(client, project: "nope", delivery: "d", body: ServerHarness.pushBody())
            #expect(unknown.status == .notFound)
            #expect((unknown.json["error"] as? String)?.contains("nope") == true)

            let wrongForge = try await ServerHarness.gitHub(client, project: "fraud", delivery: "d", body: ServerHarness.pushBody())
            #expect(wrongForge.status == .notFound)

            let big = Data(repeating: UInt8(ascii: " "), count: 5000)
            let tooLarge = try await ServerHarness.gitHub(client, delivery: "d-big", body: big)
            #expect(tooLarge.status == .contentTooLarge)

            let malformed = try await ServerHarness.gitHub(client, delivery: "d-m", body: Data("{not json".utf8))
            #expect(malformed.status == .badRequest)
            #expect(malformed.json["error"] is String)

            let missing = try await ServerHarness.gitHub(
                client, event: "pull_request", delivery: "d-f", body: Data(#"{"action": "opened"}"#.utf8))
            #expect(missing.status == .badRequest)
            let field = try #require(missing.json["field"] as? String)
            #expect((missing.json["error"] as? String)?.contains(field) == true, "\(missing.text)")
            #expect(try await harness.store.deliveries(limit: 10).isEmpty)
        }
    }

    @Test("A ping and a push to an unwatched branch are acknowledged as ignored and recorded")
    func ignoredDeliveries() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            let ping = try await ServerHarness.gitHub(
                client, event: "ping", delivery: "d-ping", body: Data(#"{"zen": "Keep it logically awesome.", "hook_id": 1}"#.utf8))
            #expect(ping.status == .accepted)
            #expect(ping.json["ignored"] as? String == "ping")
            let unwatched = try await ServerHarness.gitHub(
                client, delivery: "d-feature", body: ServerHarness.pushBody(ref: "refs/heads/feature/x"))
            #expect(unwatched.status == .accepted)
            #expect((unwatched.json["ignored"] as? String)?.contains("feature/x") == true)
            #expect(try await harness.store.deliveries(limit: 10).map(\.outcome) == [.ignored, .ignored])
            #expect(try await harness.store.queuedTriggers().isEmpty)
        }
    }

    @Test("GitLab needs its token, and the signature when the project has a signing key")
    func gitLabAuthentication() async throws {
        let harness = try await ServerHarness()
        let body = Data(
            """
            {"object_kind": "push", "ref": "refs/heads/main", "before": "\(String(repeating: "1", count: 40))",
             "after": "\(String(repeating: "2", count: 40))", "user_username": "bob", "project": {"id": 7}}
            """.utf8)
        try await harness.run { client in
            func send(_ project: String, token: String, extra: [(String, String)] = []) async throws -> TestResponse {
                var headers: HTTPFields = [
                    HTTPField.Name("X-Gitlab-Event")!: "Push Hook", HTTPField.Name("X-Gitlab-Token")!: token,
                    HTTPField.Name("Idempotency-Key")!: UUID().uuidString,
                ]
                for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
                return try await client.execute(uri: "/hooks/gitlab/\(project)", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            }
            let wrongToken = try await send("fraud", token: "wrong")
            #expect(wrongToken.status == .unauthorized)
            let rightToken = try await send("fraud", token: ServerHarness.gitLabToken)
            #expect(rightToken.status == .accepted)
            let unsigned = try await send("signed", token: ServerHarness.gitLabToken)
            #expect(unsigned.status == .unauthorized)
            let signature = WebhookSigner.standardWebhookHeaders(
                body, id: "msg-1", timestamp: harness.clock.now, secret: ServerHarness.gitLabSigningKey)
            let signed = try await send("signed", token: ServerHarness.gitLabToken, extra: signature)
            #expect(signed.status == .accepted)
            let staleSignature = WebhookSigner.standardWebhookHeaders(
                body, id: "msg-2", timestamp: harness.clock.now.addingTimeInterval(-360), secret: ServerHarness.gitLabSigningKey)
            let stale = try await send("signed", token: ServerHarness.gitLabToken, extra: staleSignature)
            #expect(stale.status == .unauthorized)
        }
    }

    @Test("Data sources and Alertmanager authenticate with their bearer tokens")
    func bearerSources() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            let data = Data(#"{"uri": "s3://lake/transactions/2026-11.csv", "version": "v7", "size": 12}"#.utf8)
            let unauthorized = try await client.execute(
                uri: "/hooks/data/lake", method: .post, headers: [.authorization: "Bearer wrong"], body: ByteBuffer(bytes: data))
            #expect(unauthorized.status == .unauthorized)
            let accepted = try await client.execute(
                uri: "/hooks/data/lake", method: .post, headers: [.authorization: "Bearer \(ServerHarness.lakeToken)"],
                body: ByteBuffer(bytes: data))
            #expect(accepted.status == .accepted)
            let unknown = try await client.execute(
                uri: "/hooks/data/nope", method: .post, headers: [.authorization: "Bearer \(ServerHarness.lakeToken)"],
                body: ByteBuffer(bytes: data))
            #expect(unknown.status == .notFound)

            let alert = Data(
                """
                {"version": "4", "groupKey": "{}:{alertname=\\"AUCDrop\\"}", "status": "firing", "receiver": "sluice",
                 "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am",
                 "alerts": [{"status": "firing", "labels": {"alertname": "AUCDrop", "sluice_model": "churn"},
                             "annotations": {}, "startsAt": "2026-11-27T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                             "generatorURL": "http://prom", "fingerprint": "abc123"}]}
                """.utf8)
            let noToken = try await client.execute(uri: "/hooks/alertmanager", method: .post, body: ByteBuffer(bytes: alert))
            #expect(noToken.status == .unauthorized)
            let fired = try await client.execute(
                uri: "/hooks/alertmanager", method: .post, headers: [.authorization: "Bearer \(ServerHarness.alertmanagerToken)"],
                body: ByteBuffer(bytes: alert))
            #expect(fired.status == .accepted)
            let kinds = try await harness.store.queuedTriggers().map(\.trigger.kind)
            #expect(kinds == [.dataArrival, .alert])
        }
    }

    @Test("Fifty concurrent copies of one delivery queue one trigger; two hundred distinct ones give two hundred rows")
    func concurrentDeliveries() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await ServerHarness.gitHub(client, delivery: "same", body: ServerHarness.pushBody()).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .accepted }.count == 1)
            #expect(statuses.filter { $0 == .ok }.count == 49)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let response = try await ServerHarness.gitHub(client, delivery: "distinct-\(index)", body: ServerHarness.pushBody())
                        #expect(response.status == .accepted)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await harness.store.queuedTriggers().count == 201)
            #expect(try await harness.store.deliveries(limit: 1000).count == 250)
        }
    }

    @Test("A locked store answers 503, so the sender retries, and nothing is acknowledged")
    func lockedStoreAnswers503() async throws {
        let harness = try await ServerHarness()
        let lock = WriteLock(path: harness.scratch.path(Store.fileName).path)
        try await harness.run { client in
            try await lock.acquire()
            let response = try await ServerHarness.gitHub(client, delivery: "d-locked", body: ServerHarness.pushBody())
            #expect(response.status == .serviceUnavailable)
            lock.release()
            #expect(try await harness.store.deliveries(limit: 10).isEmpty)
            let retried = try await ServerHarness.gitHub(client, delivery: "d-locked", body: ServerHarness.pushBody())
            #expect(retried.status == .accepted)
        }
    }

    @Test("No secret appears in any response or log line")
    func secretsNeverLeak() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            var bodies: [String] = []
            bodies.append(try await ServerHarness.gitHub(client, delivery: "s-1", body: ServerHarness.pushBody()).text)
            bodies.append(try await ServerHarness.gitHub(client, delivery: "s-2", body: ServerHarness.pushBody(), signature: "sha256=00").text)
            bodies.append(
                try await client.execute(
                    uri: "/hooks/gitlab/fraud", method: .post,
                    headers: [HTTPField.Name("X-Gitlab-Event")!: "Push Hook", HTTPField.Name("X-Gitlab-Token")!: "guess"],
                    body: ByteBuffer(string: "{}")
                ).text)
            bodies.append(try await client.execute(uri: "/api/v1/deliveries", method: .get).text)
            bodies.append(try await client.execute(uri: "/metrics", method: .get).text)
            for secret in ServerHarness.secrets {
                for body in bodies { #expect(!body.contains(secret)) }
                #expect(!harness.log.text.contains(secret))
            }
            #expect(harness.log.text.contains("delivery accepted"))
        }
    }

    @Test("Health, readiness and metrics answer, and metrics count deliveries by source and outcome")
    func healthAndMetrics() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).text == "ok\n")
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            _ = try await ServerHarness.gitHub(client, delivery: "m-1", body: ServerHarness.pushBody())
            _ = try await ServerHarness.gitHub(client, delivery: "m-1", body: ServerHarness.pushBody())
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"sluice_deliveries_total{source="github",outcome="accepted"} 1"#))
            #expect(metrics.contains(#"sluice_deliveries_total{source="github",outcome="duplicate"} 1"#))
            #expect(metrics.contains("sluice_http_request_duration_seconds_bucket"))
            let badLimit = try await client.execute(uri: "/api/v1/deliveries?limit=0", method: .get)
            #expect(badLimit.status == .badRequest)
        }
    }

    @Test("On PostgreSQL, /readyz answers 503 while the database is down and 200 again once it is back, by itself")
    func readinessFollowsTheDatabase() async throws {
        let database = try PostgresServer(durable: false)
        let harness = try await ServerHarness(postgres: try database.makeDatabase())
        try await harness.run { client in
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            #expect(try await ServerHarness.gitHub(client, delivery: "r-1", body: ServerHarness.pushBody()).status == .accepted)
            database.halt()
            let started = ContinuousClock.now
            let down = try await client.execute(uri: "/readyz", method: .get)
            #expect(down.status == .serviceUnavailable)
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            // A delivery the store cannot keep is refused with a retryable status, never acknowledged.
            let refused = try await ServerHarness.gitHub(client, delivery: "r-2", body: ServerHarness.pushBody())
            #expect(refused.status == .serviceUnavailable)
            try database.resume()
            let deadline = ContinuousClock.now + .seconds(20)
            var status = HTTPResponse.Status.serviceUnavailable
            while status != .ok, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                status = try await client.execute(uri: "/readyz", method: .get).status
            }
            #expect(status == .ok)
            #expect(try await ServerHarness.gitHub(client, delivery: "r-2", body: ServerHarness.pushBody()).status == .accepted)
        }
        #expect(try await harness.store.deliveries(limit: 10).map(\.outcome) == [.accepted, .accepted])
    }

    @Test("Metrics show the store's runs and promotions by state, the queue's depth and its oldest trigger's age")
    func storeGauges() async throws {
        let harness = try await ServerHarness()
        let store = harness.store
        let ledger = harness.ledger
        let run = try await store.startRun(project: "churn", repository: "repo", commit: "c1")
        try await store.finishRun(
            run, state: .passed, reason: "gate passed",
            conclusion: Run.Conclusion(model: "churn", artifactDigest: Digest.repeating("a")))
        _ = try await store.startRun(project: "churn", repository: "repo", commit: "c2")
        let version = try await store.register(run, branch: "main")
        _ = try await ledger.requestPromotion(
            of: version, to: EnvironmentPolicy(name: "production", approvals: 1, approvers: ["alice"]), requestedBy: "sluice")
        try await harness.run { client in
            let empty = try await client.execute(uri: "/metrics", method: .get).text
            #expect(empty.contains("sluice_queue_depth 0"))
            #expect(empty.contains("sluice_queue_oldest_age_seconds 0"))
            _ = try await ServerHarness.gitHub(client, delivery: "g-1", body: ServerHarness.pushBody())
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains("sluice_queue_depth 1"))
            #expect(metrics.contains(#"sluice_runs{state="passed"} 1"#))
            #expect(metrics.contains(#"sluice_runs{state="running"} 1"#))
            #expect(metrics.contains(#"sluice_runs{state="gate_failed"} 0"#))
            #expect(metrics.contains(#"sluice_promotions{state="pending_approval"} 1"#))
            #expect(metrics.contains(#"sluice_promotions{state="applied"} 0"#))
        }
    }
}

/// Another process's write transaction on the store's file, held on a thread of its own until
/// released: what `sluice deliveries` or a backup tool holding the lock looks like to the server.
final class WriteLock: Sendable {
    private let path: String
    private let state = Mutex<State>(.idle)

    private enum State {
        case idle, held, released
    }

    init(path: String) {
        self.path = path
    }

    /// Takes the write lock and returns once it is held.
    func acquire() async throws {
        let path = path
        Thread { [self] in
            do {
                let connection = try DatabaseQueue(path: path)
                try connection.inDatabase { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    state.withLock { $0 = .held }
                    while state.withLock({ $0 }) != .released { usleep(5_000) }
                    try db.execute(sql: "ROLLBACK")
                }
            } catch {
                state.withLock { $0 = .released }
            }
        }.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while state.withLock({ $0 }) == .idle, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        guard state.withLock({ $0 }) == .held else { throw CancellationError() }
    }

    func release() {
        state.withLock { $0 = .released }
    }
}
