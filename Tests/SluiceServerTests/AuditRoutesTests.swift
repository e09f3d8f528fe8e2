import Foundation
import Hummingbird
import HummingbirdTesting
@testable import SluiceCore
import Testing

@Suite("The audit API on a live server")
struct AuditRoutesTests {
    @Test("GET /api/v1/audit lists the entries deliveries made, oldest first, and pages with after and limit")
    func listsEntries() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            for index in 1...3 {
                let body = ServerHarness.pushBody(after: String(repeating: String(index), count: 40))
                let response = try await ServerHarness.gitHub(client, delivery: "audit-\(index)", body: body)
                #expect(response.status == .accepted)
            }
            let all = try await client.execute(uri: "/api/v1/audit", method: .get)
            #expect(all.status == .ok)
            let entries = try JSONDecoder().decode([AuditEntry].self, from: Data(buffer: all.body))
            #expect(entries.map(\.sequence) == [1, 2, 3])
            #expect(entries.map(\.action) == ["delivery.accepted", "delivery.accepted", "delivery.accepted"])
            #expect(entries.first?.details["key"] == "github:audit-1")

            let page = try await client.execute(uri: "/api/v1/audit?after=1&limit=1", method: .get)
            #expect(try JSONDecoder().decode([AuditEntry].self, from: Data(buffer: page.body)).map(\.sequence) == [2])
        }
    }

    @Test("A bad after, limit or offset is refused with 400 naming the parameter, on every listing route")
    func badParametersRefused() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            let refused = [
                ("/api/v1/audit?after=-1", "after"), ("/api/v1/audit?after=x", "after"),
                ("/api/v1/audit?limit=0", "limit"), ("/api/v1/audit?limit=1001", "limit"),
                ("/api/v1/deliveries?limit=x", "limit"), ("/api/v1/runs?limit=abc", "limit"),
                ("/api/v1/runs?limit=501", "limit"), ("/api/v1/runs/1/steps/train/log?offset=-1", "offset"),
            ]
            for (uri, field) in refused {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.json["field"] as? String == field, "\(uri)")
                #expect((response.json["error"] as? String)?.hasPrefix("\(field) must be a whole number") == true, "\(uri)")
            }
        }
    }
}
