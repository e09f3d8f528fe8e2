import Foundation
import Testing

@Suite("The sluice command")
struct VersionCommandTests {
    @Test("sluice version prints Sluice's, libgit2's and libcurl's versions")
    func versionPrintsAllThree() throws {
        // The test bundle is built beside the products, so the executable is its sibling.
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("sluice")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the sluice product first")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["version"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationStatus == 0)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.wholeMatch(of: /sluice \d+\.\d+\.\d+/) != nil)
        #expect(lines.dropFirst().first?.wholeMatch(of: /libgit2 1\.\d+\.\d+/) != nil)
        #expect(lines.last?.wholeMatch(of: /libcurl \d+\.\d+\.\d+/) != nil)
    }
}
