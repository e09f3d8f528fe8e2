import Crypto
@testable import Curl
import Foundation
import Hummingbird
import SluiceTesting
import Testing

@Suite("HTTPClient downloads")
struct DownloadTests {
    /// 1.5 MB of deterministic bytes from a linear congruential generator.
    static let blob: [UInt8] = {
        var state: UInt32 = 0x1234_5678
        return (0..<1_500_000).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }()

    /// A fresh scratch folder, removed after `body`.
    func withScratchFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("curl-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder)
    }

    @Test("A download writes the file and returns the SHA-256 of the bytes served")
    func downloadsFile() async throws {
        let expected = SHA256.hash(data: Self.blob).map { String(format: "%02x", $0) }.joined()
        try await withScratchFolder { folder in
            try await LoopbackServer.run({ router in
                router.get("blob") { _, _ in
                    Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: Self.blob)))
                }
            }) { base in
                let destination = folder.appendingPathComponent("model.bin")
                let download = try await HTTPClient(retry: quickRetry).download(Request(url: base + "/blob"), to: destination)
                #expect(download.status == 200)
                #expect(download.byteCount == Self.blob.count)
                #expect(download.sha256 == expected)
                #expect(try Data(contentsOf: destination) == Data(Self.blob))
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.bin"])
            }
        }
    }

    @Test("A download retried after a 503 keeps only the good body")
    func downloadRetries() async throws {
        let hits = HitCounter()
        let expected = SHA256.hash(data: Self.blob).map { String(format: "%02x", $0) }.joined()
        try await withScratchFolder { folder in
            try await LoopbackServer.run({ router in
                router.get("blob") { _, _ in
                    hits.hit() == 1
                        ? Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "busy")))
                        : Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: Self.blob)))
                }
            }) { base in
                let destination = folder.appendingPathComponent("model.bin")
                let download = try await HTTPClient(retry: quickRetry).download(Request(url: base + "/blob"), to: destination)
                #expect(download.sha256 == expected)
                #expect(download.byteCount == Self.blob.count)
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.bin"])
            }
        }
        #expect(hits.value == 2)
    }

    @Test("A download that gets a 404 throws httpStatus and leaves no file")
    func downloadNotFound() async throws {
        try await withScratchFolder { folder in
            try await LoopbackServer.run({ _ in }) { base in
                let destination = folder.appendingPathComponent("model.bin")
                let error = await #expect(throws: CurlError.self) {
                    try await HTTPClient(retry: quickRetry).download(Request(url: base + "/missing"), to: destination)
                }
                #expect(error?.code == .httpStatus)
                #expect(error?.httpStatus == 404)
                #expect(!FileManager.default.fileExists(atPath: destination.path))
                let remaining = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                #expect(remaining.isEmpty)
            }
        }
    }
}
