import Foundation
import Testing

@testable import SluiceCore

@Suite("The store's numbers: bare in JSON, named for people")
struct SerialNumberTests {
    @Test("Run, promotion and version numbers encode as bare numbers, decode back, and read as run 12, promotion 4, v3")
    func bareNumbers() throws {
        struct Numbers: Codable, Equatable {
            var run: Run.ID
            var promotion: Promotion.ID
            var version: ModelVersion.Number
        }
        let numbers = Numbers(run: Run.ID(12), promotion: Promotion.ID(4), version: ModelVersion.Number(3))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(numbers), as: UTF8.self)
        #expect(json == #"{"promotion":4,"run":12,"version":3}"#)
        #expect(try JSONDecoder().decode(Numbers.self, from: Data(json.utf8)) == numbers)
        #expect([numbers.run.description, numbers.promotion.description, numbers.version.description] == ["run 12", "promotion 4", "v3"])
        #expect(ModelVersion.Number(2) < ModelVersion.Number(10))
    }
}
