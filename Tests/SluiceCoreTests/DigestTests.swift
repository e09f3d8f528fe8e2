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
        for bad in [#"["sha256:C"]"#, #"["md5:00"]"#, #"["cccc"]"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode([Digest].self, from: Data(bad.utf8)) }
        }
    }
}
