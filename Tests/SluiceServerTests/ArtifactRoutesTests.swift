import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite("Artifact endpoint on a live server")
struct ArtifactRoutesTests {
    static let bytes = "0123456789abcdefghij"
    static let viewerToken = "viewer-token-1732"

    /// Stores `text` in the harness's artifact store and returns its hex digest.
    private func store(_ text: String, in harness: ServerHarness) async throws -> String {
        let file = try harness.scratch.write(text, to: "out/\(UUID().uuidString)")
        return try await harness.service.artifacts.put(artifact: file, within: harness.scratch.path("out")).hex
    }

    private func get(
        _ client: some TestClientProtocol, _ hex: String, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/artifacts/sha256/\(hex)", method: .get, headers: headers)
    }

    @Test("A stored blob is served whole with its digest as ETag and a year-long immutable cache lifetime")
    func servesWholeBlob() async throws {
        let harness = try await ServerHarness()
        let hex = try await store(Self.bytes, in: harness)
        try await harness.run { client in
            let response = try await get(client, hex)
            #expect(response.status == .ok)
            #expect(response.text == Self.bytes)
            #expect(response.headers[.contentType] == "application/octet-stream")
            #expect(response.headers[.contentLength] == "20")
            #expect(response.headers[.eTag] == "\"sha256:\(hex)\"")
            #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(response.headers[.acceptRanges] == "bytes")

            let cached = try await get(client, hex, headers: [.ifNoneMatch: "\"sha256:\(hex)\""])
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)
            #expect(cached.headers[.eTag] == "\"sha256:\(hex)\"")
            let other = try await get(client, hex, headers: [.ifNoneMatch: "\"sha256:\(String(repeating: "0", count: 64))\""])
            #expect(other.status == .ok)
        }
    }

    @Test("Replicas sharing a store and an artifacts folder or bucket serve every artifact, whichever of them stored it",
          arguments: ArtifactKind.allCases)
    func replicasShareArtifacts(kind: ArtifactKind) async throws {
        let shared = try ScratchDirectory("shared-artifacts")
        let database = try PostgresServer.shared().makeDatabase()
        let bucket = try kind.makeBucket()
        let folder = bucket == nil ? shared.url : nil
        let first = try await ServerHarness(postgres: database, artifacts: folder, artifactBucket: bucket)
        let second = try await ServerHarness(postgres: database, artifacts: folder, artifactBucket: bucket)
        let hex = try await store(Self.bytes, in: first)
        #expect(FileManager.default.fileExists(atPath: first.scratch.path("artifacts").path) == (kind == .bucket))
        #expect(!FileManager.default.fileExists(atPath: second.scratch.path("artifacts/sha256/\(hex)").path))
        try await second.run { client in
            let response = try await get(client, hex)
            #expect(response.status == .ok)
            #expect(response.text == Self.bytes)
        }
    }

    @Test("Ranges a-b, a- and -n get 206 with Content-Range; a range past the end gets 416")
    func servesRanges() async throws {
        let harness = try await ServerHarness()
        let hex = try await store(Self.bytes, in: harness)
        try await harness.run { client in
            for (range, body, contentRange) in [
                ("bytes=2-5", "2345", "bytes 2-5/20"), ("bytes=15-", "fghij", "bytes 15-19/20"),
                ("bytes=-3", "hij", "bytes 17-19/20"), ("bytes=18-99", "ij", "bytes 18-19/20"),
            ] {
                let response = try await get(client, hex, headers: [.range: range])
                #expect(response.status == .partialContent, "\(range)")
                #expect(response.text == body, "\(range)")
                #expect(response.headers[.contentRange] == contentRange, "\(range)")
                #expect(response.headers[.contentLength] == String(body.count), "\(range)")
            }
            let beyond = try await get(client, hex, headers: [.range: "bytes=20-"])
            #expect(beyond.status == .rangeNotSatisfiable)
            #expect(beyond.headers[.contentRange] == "bytes */20")
            #expect(beyond.headers[.contentType] == "application/json")
            let several = try await get(client, hex, headers: [.range: "bytes=0-1,4-5"])
            #expect(several.status == .ok)
            #expect(several.text == Self.bytes)
        }
    }

    @Test("An unknown digest is a 404 and a malformed one a 400 that says what a digest looks like")
    func clientFaults() async throws {
        let harness = try await ServerHarness()
        try await harness.run { client in
            let missing = try await get(client, String(repeating: "0", count: 64))
            #expect(missing.status == .notFound)
            #expect((missing.json["error"] as? String)?.contains("no artifact") == true)
            for bad in ["abc", String(repeating: "A", count: 64), String(repeating: "g", count: 64)] {
                let response = try await get(client, bad)
                #expect(response.status == .badRequest, "\(bad)")
                #expect((response.json["error"] as? String)?.contains("64 lower-case hex") == true)
            }
        }
    }

    @Test("A blob corrupted on disk is never served: the answer is a logged 500")
    func corruptBlobRefused() async throws {
        let harness = try await ServerHarness()
        let hex = try await store(Self.bytes, in: harness)
        let path = harness.scratch.url.appending(path: "artifacts/sha256/\(hex)").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: path))
        try await harness.run { client in
            let response = try await get(client, hex)
            #expect(response.status == .internalServerError)
            #expect(!response.text.contains("tampered"))
        }
        #expect(harness.log.text.contains("refused to serve an artifact"))
    }

    @Test("With auth configured, a missing or wrong token gets 401 with WWW-Authenticate and a valid one the bytes")
    func bearerTokens() async throws {
        let auth = AuthConfig(
            tokensVariable: "SLUICE_API_TOKENS",
            tokens: [
                APIToken(name: "admin", role: .admin, token: Secret("admin-token-9")),
                APIToken(name: "cluster", role: .viewer, token: Secret(Self.viewerToken)),
            ])
        let harness = try await ServerHarness(auth: auth)
        let hex = try await store(Self.bytes, in: harness)
        try await harness.run { client in
            let anonymous = try await get(client, hex)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let wrong = try await get(client, hex, headers: [.authorization: "Bearer not-a-token"])
            #expect(wrong.status == .unauthorized)
            let basic = try await get(client, hex, headers: [.authorization: "Basic \(Self.viewerToken)"])
            #expect(basic.status == .unauthorized)
            let valid = try await get(client, hex, headers: [.authorization: "Bearer \(Self.viewerToken)"])
            #expect(valid.status == .ok)
            #expect(valid.text == Self.bytes)
        }
    }
}
