@testable import Curl
import Foundation
import SluiceTesting
import Testing

@Suite("sluice serve as a real process")
struct CrashSafetyTests {
    static let secret = "e2e-webhook-secret-5772"

    /// A config whose port is 0, so each start picks a free one and logs it.
    static func writeConfig(in scratch: ScratchDirectory, listen: String = "127.0.0.1:0", stateDirectory: String = "state") throws -> URL {
        let file = scratch.path("sluice.yml")
        try Data(
            """
            listen: \(listen)
            state_dir: \(stateDirectory)
            projects:
              - name: churn
                forge: github
                repo: https://github.com/acme/churn.git
                webhook_secret_env: E2E_WEBHOOK_SECRET
            """.utf8
        ).write(to: file)
        return file
    }

    static func start(_ config: URL) throws -> (SluiceProcess, String) {
        let server = try SluiceProcess(
            ["serve", "--config", config.path], environment: ["E2E_WEBHOOK_SECRET": secret])
        let address = try server.waitFor(/listening on (http:\/\/[0-9.:]+)/)
        return (server, address)
    }

    static func push(_ client: HTTPClient, to base: String, delivery: String) async throws -> HTTPResponse {
        let body = GitHubDelivery.push(
            before: String(repeating: "a", count: 40), after: String(repeating: "c", count: 40), pusher: "alice")
        return try await client.send(
            GitHubDelivery.request(to: "\(base)/hooks/github/churn", event: "push", body: body, secret: secret, id: delivery))
    }

    @Test("With --log-format json every line of the log is one JSON object with time, level, label and message")
    func jsonLog() throws {
        let scratch = try ScratchDirectory("e2e-json-log")
        let config = try Self.writeConfig(in: scratch)
        let server = try SluiceProcess(
            ["serve", "--config", config.path, "--log-format", "json"], environment: ["E2E_WEBHOOK_SECRET": Self.secret])
        _ = try server.waitFor(/listening on (http:\/\/[0-9.:]+)/)
        server.kill(SIGTERM)
        #expect(server.waitForExit() == 0)
        let lines = server.text.split(separator: "\n")
        #expect(lines.count >= 2)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["label"] as? String == "sluice", "\(line)")
            #expect(object?["message"] is String && object?["time"] is String, "\(line)")
        }
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let storeOpen = objects.first { $0["message"] as? String == "store open" }
        // This config protects no environment, and has no auth: the server says what that means.
        #expect(objects.contains { ($0["message"] as? String)?.contains("has no environments in the server config: its versions are registered and promoted nowhere") == true })
        #expect(objects.contains { ($0["message"] as? String)?.hasPrefix("no 'auth' section") == true && $0["level"] as? String == "warning" })
        #expect((storeOpen?["store"] as? String)?.hasSuffix("state/sluice.sqlite") == true)
    }

    @Test("Every delivery acknowledged before a kill -9 is in the store after a restart")
    func acknowledgedDeliveriesSurviveKill() async throws {
        let scratch = try ScratchDirectory("e2e")
        let config = try Self.writeConfig(in: scratch)
        let client = HTTPClient(retry: .none)
        let (server, base) = try Self.start(config)

        let acknowledged = try await withThrowingTaskGroup(of: Int?.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let response = try await Self.push(client, to: base, delivery: "crash-\(index)")
                    guard response.status == 202 else { return nil }
                    let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                    return json?["delivery"] as? Int
                }
            }
            return try await group.reduce(into: Set<Int>()) { if let id = $1 { $0.insert(id) } }
        }
        server.kill(SIGKILL)
        _ = server.waitForExit()
        #expect(server.terminationReason == .uncaughtSignal)
        #expect(acknowledged.count == 40)

        let (restarted, newBase) = try Self.start(config)
        let listed = try await client.send(HTTPRequest(url: "\(newBase)/api/v1/deliveries?limit=1000"))
        let stored = try #require(try JSONSerialization.jsonObject(with: listed.body) as? [[String: Any]])
        #expect(acknowledged.isSubset(of: Set(stored.compactMap { $0["id"] as? Int })))

        let (status, output) = try SluiceProcess.run(
            ["deliveries", "--limit", "5"], environment: ["E2E_WEBHOOK_SECRET": Self.secret, "SLUICE_URL": newBase])
        #expect(status == 0, "\(output)")
        #expect(output.contains("push #"))
        #expect(!output.contains(Self.secret))
        restarted.kill(SIGTERM)
        #expect(restarted.waitForExit() == 0)
        #expect(!restarted.text.contains(Self.secret))
    }

    @Test("A config with problems stops serve with status 2 and names each problem with its position")
    func badConfigExplains() throws {
        let scratch = try ScratchDirectory("e2e")
        let file = scratch.path("sluice.yml")
        try Data("listen: 127.0.0.1:0\nprojects:\n  - name: churn\n    forge: github\n    repo: https://x/y.git\n    webhok_secret_env: X\n".utf8)
            .write(to: file)
        let (status, output) = try SluiceProcess.run(["serve", "--config", file.path])
        #expect(status == 2)
        #expect(output.contains("sluice.yml:6:5"))
        #expect(output.contains("webhook_secret_env"))
    }

    @Test("A port already in use stops serve with status 2, naming listen and the address")
    func portInUseExplains() throws {
        let scratch = try ScratchDirectory("e2e-port")
        let (first, address) = try Self.start(try Self.writeConfig(in: scratch))
        defer {
            first.kill(SIGTERM)
            _ = first.waitForExit()
        }
        let taken = address.replacingOccurrences(of: "http://", with: "")
        let other = try ScratchDirectory("e2e-port-other")
        let config = try Self.writeConfig(in: other, listen: taken)
        let (status, output) = try SluiceProcess.run(
            ["serve", "--config", config.path], environment: ["E2E_WEBHOOK_SECRET": Self.secret])
        #expect(status == 2, "\(output)")
        #expect(
            output.contains("sluice: listen \(taken): the address is already in use (another sluice serve?); stop that program or set listen in \(config.path) to a free port"),
            "\(output)")
        #expect(!output.contains("errno"))
    }

    @Test("A state_dir that cannot be created stops serve with status 2, naming the key and the path")
    func unusableStateDirectoryExplains() throws {
        let scratch = try ScratchDirectory("e2e-state")
        try scratch.write("not a folder\n", to: "taken")
        let config = try Self.writeConfig(in: scratch, stateDirectory: "taken/state")
        let (status, output) = try SluiceProcess.run(
            ["serve", "--config", config.path], environment: ["E2E_WEBHOOK_SECRET": Self.secret])
        #expect(status == 2, "\(output)")
        let taken = scratch.path("taken").standardizedFileURL.path
        #expect(output.contains("sluice: state_dir \(taken)/state cannot be used: \(taken) is a file, not a folder; point state_dir at a folder"), "\(output)")
        #expect(!output.contains("NSCocoaErrorDomain"))
    }

    @Test("A missing config file stops serve with status 2 and says how to provide one")
    func missingConfigExplains() throws {
        let (status, output) = try SluiceProcess.run(["serve", "--config", "/nonexistent/sluice.yml"])
        #expect(status == 2)
        #expect(output.contains("no config file at /nonexistent/sluice.yml"))
        #expect(output.contains("--config"))
    }
}
