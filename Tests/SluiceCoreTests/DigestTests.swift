import Foundation
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite("Digests: one type, checked once, written as sha256:<hex>")
struct DigestTests {
    @Test("A digest is sha256:<hex> in JSON; JSON with any other text is refused when read")
    func codable() throws {
        let digest = Digest.repeating("c")
        let json = String(decoding: try JSONEncoder().encode([digest]), as: UTF8.self)
        #expect(json == #"["sha256:"# + String(repeating: "c", count: 64) + #""]"#)
        #expect(try JSONDecoder().decode([Digest].self, from: Data(json.utf8)) == [digest])
        for bad in [#"["sha256:C"]"#, #"["md5:00"]"#, #"["cccc"]"#, "[\"" + String(repeating: "C", count: 64) + "\"]"] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode([Digest].self, from: Data(bad.utf8)) }
        }
    }

    @Test("A run stored by an earlier release, with bare-hex data versions and cache key, reads back as digests")
    func earlierRows() async throws {
        let scratch = try ScratchDirectory()
        let store = try Store(stateDirectory: scratch.url)
        let id = try await store.startRun(project: "churn", repository: "file:///churn.git", commit: "c1")
        try await store.finishRun(id, state: .passed, reason: "gate passed", conclusion: Run.Conclusion(model: "churn"))
        let hex = String(repeating: "e", count: 64)
        try await store.execute(
            "UPDATE runs SET cache_key = ?, data_versions = ? WHERE id = ?", [hex, #"{"customers":""# + hex + #""}"#, id.rawValue])
        let run = try #require(try await store.run(id))
        #expect(run.conclusion.cacheKey == Digest.repeating("e"))
        #expect(run.conclusion.dataVersions == ["customers": Digest.repeating("e")])
    }
}
