import Foundation
import Testing

@Suite("The sluice command")
struct VersionCommandTests {
    @Test("sluice version prints Sluice's, libgit2's and libcurl's versions")
    func versionPrintsAllThree() throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let (status, text) = try SluiceProcess.run(["version"])
        #expect(status == 0)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.wholeMatch(of: /sluice \d+\.\d+\.\d+/) != nil)
        #expect(lines.dropFirst().first?.wholeMatch(of: /libgit2 1\.\d+\.\d+/) != nil)
        #expect(lines.last?.wholeMatch(of: /libcurl \d+\.\d+\.\d+/) != nil)
    }
}
