@testable import Curl
import Foundation
import Hummingbird
import SluiceTesting
import Testing

/// `Curl.HTTPRequest` is spelled in full: Hummingbird re-exports HTTPTypes' `HTTPRequest`.
typealias Request = Curl.HTTPRequest

/// Retry policy with short delays so the suite stays fast.
let quickRetry = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50), maxDelay: .seconds(2))

@Suite("HTTPClient against a loopback Hummingbird server")
struct HTTPClientTests {
    @Test("A 200 response carries its body and headers")
    func okResponse() async throws {
        try await LoopbackServer.run({ router in
            router.get("hello") { _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain", .init("X-Test")!: "yes"],
                         body: .init(byteBuffer: ByteBuffer(string: "hello, world")))
            }
        }) { base in
            let response = try await HTTPClient(retry: .none).send(Request(url: base + "/hello"))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "hello, world")
            #expect(response.header("x-test") == "yes")
            #expect(response.header("CONTENT-TYPE") == "text/plain")
            #expect(response.header("X-Absent") == nil)
        }
    }

    @Test("A POST body reaches the server and the echo comes back")
    func postBody() async throws {
        try await LoopbackServer.run({ router in
            router.post("echo") { request, _ in
                let buffer = try await request.body.collect(upTo: 1 << 20)
                return Response(status: .ok, body: .init(byteBuffer: buffer))
            }
        }) { base in
            let payload = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0) })
            let request = Request(method: .post, url: base + "/echo", body: payload)
            let response = try await HTTPClient(retry: .none).send(request)
            #expect(response.status == 200)
            #expect(response.body == payload)
        }
    }

    @Test("A body file is streamed as a PUT with its length, and read again from its start on a retry")
    func bodyFileUpload() async throws {
        let scratch = try ScratchDirectory("curl-upload")
        let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let file = scratch.path("model.bin")
        try payload.write(to: file)
        let attempts = HitCounter()
        try await LoopbackServer.run({ router in
            router.put("upload") { request, _ in
                let buffer = try await request.body.collect(upTo: 1 << 20)
                let first = attempts.hit() == 1
                return Response(
                    status: first ? .serviceUnavailable : .ok,
                    headers: [.init("X-Length")!: request.headers[.contentLength] ?? "none"],
                    body: .init(byteBuffer: buffer))
            }
        }) { base in
            let response = try await HTTPClient(retry: quickRetry).send(Request(method: .put, url: base + "/upload", bodyFile: file))
            #expect(response.status == 200)
            #expect(response.body == payload)
            #expect(response.header("X-Length") == "300000")
            #expect(attempts.value == 2)
        }
    }

    @Test("A request with both a body and a body file is refused before anything is sent")
    func bodyAndBodyFileRefused() async throws {
        let error = await #expect(throws: CurlError.self) {
            try await HTTPClient(retry: .none).send(
                Request(method: .put, url: "http://127.0.0.1:1/", body: Data("a".utf8), bodyFile: URL(fileURLWithPath: "/dev/null")))
        }
        #expect(error?.code == .invalidRequest)
    }

    @Test("A signed request's secret key never reaches its description nor an error message")
    func signatureSecretRedacted() async throws {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let request = Request(
            url: "http://127.0.0.1:1/bucket/key",
            signature: AWSSignature(region: "us-east-1", service: "s3", accessKeyID: "AKIDEXAMPLE", secretAccessKey: secret))
        #expect(!request.description.contains(secret))
        #expect(request.secrets.contains(secret))
        let error = await #expect(throws: CurlError.self) { try await HTTPClient(retry: .none).send(request) }
        #expect(error.map { !"\($0)".contains(secret) } == true)
    }

    @Test("A 404 is returned as a response, not thrown")
    func notFound() async throws {
        try await LoopbackServer.run({ _ in }) { base in
            let response = try await HTTPClient(retry: quickRetry).send(Request(url: base + "/missing"))
            #expect(response.status == 404)
        }
    }

    @Test("A request whose handler outlasts the timeout fails with timedOut within about the timeout")
    func timeout() async throws {
        try await LoopbackServer.run({ router in
            router.get("slow") { _, _ in
                try await Task.sleep(for: .seconds(5))
                return "late"
            }
        }) { base in
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: CurlError.self) {
                try await HTTPClient(retry: .none).send(Request(url: base + "/slow", timeout: .seconds(1)))
            }
            let elapsed = clock.now - start
            #expect(error?.code == .timedOut)
            #expect(error?.curlCode == 28)
            #expect(elapsed >= .milliseconds(900))
            #expect(elapsed < .seconds(3))
        }
    }

    @Test("A 503 followed by a 200 is retried once and returns the 200")
    func retriesServiceUnavailable() async throws {
        let hits = HitCounter()
        try await LoopbackServer.run({ router in
            router.get("flaky") { _, _ in
                hits.hit() == 1 ? Response(status: .serviceUnavailable) : Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "recovered")))
            }
        }) { base in
            let response = try await HTTPClient(retry: quickRetry).send(Request(url: base + "/flaky"))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "recovered")
        }
        #expect(hits.value == 2)
    }

    @Test("A persistent 500 is returned as the last response after every attempt")
    func exhaustsAttemptsOnServerError() async throws {
        let hits = HitCounter()
        try await LoopbackServer.run({ router in
            router.get("broken") { _, _ in
                _ = hits.hit()
                return Response(status: .internalServerError)
            }
        }) { base in
            let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))
            let response = try await HTTPClient(retry: quickRetry).send(Request(url: base + "/broken"), retry: policy)
            #expect(response.status == 500)
        }
        #expect(hits.value == 3)
    }

    @Test("A 400 is not retried")
    func doesNotRetryBadRequest() async throws {
        let hits = HitCounter()
        try await LoopbackServer.run({ router in
            router.get("bad") { _, _ in
                _ = hits.hit()
                return Response(status: .badRequest)
            }
        }) { base in
            let response = try await HTTPClient(retry: quickRetry).send(Request(url: base + "/bad"))
            #expect(response.status == 400)
        }
        #expect(hits.value == 1)
    }

    @Test("A 429 with Retry-After of one second is honoured before the retry")
    func honoursRetryAfter() async throws {
        let hits = HitCounter()
        try await LoopbackServer.run({ router in
            router.get("limited") { _, _ in
                hits.hit() == 1 ? Response(status: .tooManyRequests, headers: [.retryAfter: "1"]) : Response(status: .ok)
            }
        }) { base in
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await HTTPClient(retry: quickRetry).send(Request(url: base + "/limited"))
            #expect(response.status == 200)
            #expect(clock.now - start >= .seconds(1))
        }
        #expect(hits.value == 2)
    }

    @Test("Connecting to a closed loopback port throws couldNotConnect quickly")
    func closedPort() async throws {
        try await ClosedPort.with { port in
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: CurlError.self) {
                try await HTTPClient(retry: .none).send(Request(url: "http://127.0.0.1:\(port)/"))
            }
            #expect(error?.code == .couldNotConnect)
            #expect(error?.curlCode == 7)
            #expect(error?.isRetryable == true)
            #expect(clock.now - start < .seconds(2))
        }
    }

    @Test("A URL with a scheme other than http or https is refused")
    func refusesOtherProtocols() async throws {
        let error = await #expect(throws: CurlError.self) {
            try await HTTPClient(retry: quickRetry).send(Request(url: "file:///etc/passwd"))
        }
        #expect(error?.code == .invalidRequest)
    }

    @Test("A header value with a line break is refused before anything is sent")
    func refusesHeaderInjection() async throws {
        let error = await #expect(throws: CurlError.self) {
            try await HTTPClient(retry: .none).send(
                Request(url: "http://127.0.0.1:1/", headers: [HTTPHeader("X-Evil", "a\r\nInjected: yes")]))
        }
        #expect(error?.code == .invalidRequest)
    }

    @Test("A secret header reaches the server but never the logs or the request's description")
    func secretsStayOutOfLogs() async throws {
        let apiKey = "sk-live-4f9a8b7c6d5e"
        let token = "Bearer ghp-token-0123456789"
        let password = "hunter2-pw-secret"
        let received = Recorder<String>()
        let hits = HitCounter()
        let lines = Recorder<String>()
        try await LoopbackServer.run({ router in
            router.get("secret") { request, _ in
                for field in request.headers where field.name.canonicalName == "x-api-key" || field.name.canonicalName == "authorization" {
                    received.record(field.value)
                }
                return hits.hit() == 1 ? Response(status: .serviceUnavailable) : Response(status: .ok)
            }
        }) { base in
            let url = base.replacingOccurrences(of: "http://", with: "http://robot:\(password)@") + "/secret"
            let request = Request(
                url: url, headers: [.secret("X-Api-Key", apiKey), HTTPHeader("Authorization", token)])
            let client = HTTPClient(retry: quickRetry, logger: CapturingLogHandler.logger(into: lines))
            let response = try await client.send(request)
            #expect(response.status == 200)

            let description = String(describing: request)
            #expect(description.contains("<redacted>"))
            for secret in [apiKey, token, password] {
                #expect(!description.contains(secret))
                #expect(!String(reflecting: request).contains(secret))
            }
        }
        #expect(received.all.contains(apiKey))
        #expect(received.all.contains(token))
        let log = lines.all
        #expect(log.contains { $0.contains("HTTP attempt finished") && $0.contains("attempt=1/4") })
        #expect(log.contains { $0.contains("Retrying HTTP request") && $0.contains("status 503") })
        for line in log {
            #expect(!line.contains(apiKey))
            #expect(!line.contains(token))
            #expect(!line.contains("ghp-token"))
            #expect(!line.contains(password))
        }
    }

    @Test("Cancelling the task of a slow request throws cancelled promptly")
    func cancellation() async throws {
        let (started, startedSink) = AsyncStream.makeStream(of: Void.self)
        try await LoopbackServer.run({ router in
            router.get("slow") { _, _ in
                startedSink.yield()
                try await Task.sleep(for: .seconds(10))
                return "late"
            }
        }) { base in
            let client = HTTPClient(retry: .none)
            let task = Task { try await client.send(Request(url: base + "/slow")) }
            try await Deadline.first(of: started, within: .seconds(5))
            let clock = ContinuousClock()
            let cancelledAt = clock.now
            task.cancel()
            let error = await #expect(throws: CurlError.self) { try await task.value }
            #expect(error?.code == .cancelled)
            #expect(clock.now - cancelledAt < .seconds(2.5))
        }
    }

    @Test("Cancelling while waiting to retry throws cancelled promptly")
    func cancellationDuringBackoff() async throws {
        let (hit, hitSink) = AsyncStream.makeStream(of: Void.self)
        try await LoopbackServer.run({ router in
            router.get("later") { _, _ in
                hitSink.yield()
                return Response(status: .serviceUnavailable, headers: [.retryAfter: "30"])
            }
        }) { base in
            let client = HTTPClient(retry: RetryPolicy(maxAttempts: 3, baseDelay: .seconds(30), maxDelay: .seconds(60)))
            let task = Task { try await client.send(Request(url: base + "/later")) }
            try await Deadline.first(of: hit, within: .seconds(5))
            let clock = ContinuousClock()
            let cancelledAt = clock.now
            task.cancel()
            let error = await #expect(throws: CurlError.self) { try await task.value }
            #expect(error?.code == .cancelled)
            #expect(clock.now - cancelledAt < .seconds(2.5))
        }
    }

    @Test("The libcurl version is a dotted version number")
    func libraryVersion() {
        let version = CurlLibrary.version
        #expect(version.split(separator: ".").count >= 2)
        #expect(version.first?.isNumber == true)
    }
}
