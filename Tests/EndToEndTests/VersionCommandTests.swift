import Foundation
import SluiceTesting
import Testing

@Suite("The sluice command")
struct VersionCommandTests {
    @Test("sluice version and sluice --version print Sluice's, libgit2's and libcurl's versions", arguments: ["version", "--version"])
    func versionPrintsAllThree(_ argument: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
        let (status, text) = try SluiceProcess.run([argument])
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.wholeMatch(of: /sluice \d+\.\d+\.\d+/) != nil)
        #expect(lines.dropFirst().first?.wholeMatch(of: /libgit2 1\.\d+\.\d+/) != nil)
        #expect(lines.last?.wholeMatch(of: /libcurl \d+\.\d+\.\d+/) != nil)
    }

    @Test("sluice run's default state directory follows $HOME")
    func defaultStateDirectoryFollowsHome() throws {
        let scratch = try ScratchDirectory("sluice-home")
        let (initialised, output) = try SluiceProcess.run(["init", scratch.path("churn").path])
        try #require(initialised == 0, "\(output)")
        _ = try GitCLI.run(["init", "-q", "-b", "main"], in: scratch.path("churn"))
        _ = try GitCLI.run(["add", "-A"], in: scratch.path("churn"))
        _ = try GitCLI.run(["commit", "-q", "-m", "Starter"], in: scratch.path("churn"))
        let (status, text) = try SluiceProcess.run(
            ["run", scratch.path("churn").path], environment: ["HOME": scratch.path("home").path, "XDG_CACHE_HOME": ""])
        #expect(status == 0, "\(text)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("home/.cache/sluice/runs/1").path))
    }
}
