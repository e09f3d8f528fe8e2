import Hummingbird
import HummingbirdTesting
import SluiceServer
import Testing

@Suite("Health endpoints")
struct HealthRoutesTests {
    @Test("GET /healthz answers 200 ok on a live loopback server")
    func healthzAnswersOK() async throws {
        let router = Router()
        HealthRoutes.add(to: router)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n")
            }
        }
    }
}
