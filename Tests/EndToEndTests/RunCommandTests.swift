import Foundation
import SluiceTesting
import Testing

@Suite("sluice init and sluice run", .serialized)
struct RunCommandTests {
    /// `sluice init` into a scratch folder, committed with git, plus a state directory.
    struct StarterRepository {
        let scratch: ScratchDirectory
        var repository: URL { scratch.path("churn") }
        var state: URL { scratch.path("state") }

        init() throws {
            try #require(FileManager.default.isExecutableFile(atPath: SluiceProcess.binary.path), "build the sluice product first")
            scratch = try ScratchDirectory("sluice-run")
            let (status, text) = try SluiceProcess.run(["init", scratch.path("churn").path])
            try #require(status == 0, "\(text)")
            _ = try GitCLI.run(["init", "-q", "-b", "main"], in: repository)
            try commit("Starter project")
        }

        func commit(_ message: String) throws {
            _ = try GitCLI.run(["add", "-A"], in: repository)
            _ = try GitCLI.run(["commit", "-q", "-m", message], in: repository)
        }

        func run(_ extra: [String] = []) throws -> (Int32, String) {
            try SluiceProcess.run(["run", repository.path, "--state-dir", state.path] + extra)
        }
    }

    @Test("The starter project from sluice init passes: exit 0, live step lines, the gate table; again, a cache hit")
    func starterPassesThenHitsTheCache() throws {
        let starter = try StarterRepository()
        let (status, text) = try starter.run()
        #expect(status == 0, "\(text)")
        #expect(text.contains("▸ train: python3 train.py"))
        #expect(text.contains("[train "))
        #expect(text.contains("### ✅ Gate passed (no baseline yet)"))
        #expect(text.contains("run 1: passed: gate passed"))

        let (again, second) = try starter.run()
        #expect(again == 0)
        #expect(second.contains("cache hit: run 1"))
        #expect(!second.contains("▸ train"))
    }

    @Test("A gate that fails exits 1; a run that cannot be carried out exits 2 and says why")
    func exitStatuses() throws {
        let starter = try StarterRepository()
        let spec = starter.repository.appendingPathComponent(".sluice.yml")
        let text = try String(contentsOf: spec, encoding: .utf8)
        try text.replacingOccurrences(of: "min: 0.82", with: "min: 0.99").write(to: spec, atomically: true, encoding: .utf8)
        try starter.commit("Demand too much")
        let (failed, failure) = try starter.run(["--sandbox", "none"])
        #expect(failed == 1, "\(failure)")
        #expect(failure.contains("### ❌ Gate failed"))

        let (unknown, message) = try starter.run(["--commit", "no-such-branch"])
        #expect(unknown == 2)
        #expect(message.contains("'no-such-branch' names no commit"))

        try "version: 2\n".write(to: spec, atomically: true, encoding: .utf8)
        try starter.commit("Break the spec")
        let (broken, problems) = try starter.run()
        #expect(broken == 2)
        #expect(problems.contains(".sluice.yml:1:10: version:"), "\(problems)")
    }

    @Test("sluice init refuses a directory that already holds files")
    func initRefusesNonEmptyDirectory() throws {
        let scratch = try ScratchDirectory("sluice-init")
        try scratch.write("mine\n", to: "taken/notes.txt")
        let (status, text) = try SluiceProcess.run(["init", scratch.path("taken").path])
        #expect(status != 0)
        #expect(text.contains("already holds files"))
    }
}
