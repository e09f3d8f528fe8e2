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

    @Test("A test broken outside inputs.paths after a cached run fails the run, exit 1, with the test's last line; --no-cache trains again")
    func brokenTestAfterACachedRunFails() throws {
        let starter = try StarterRepository()
        #expect(try starter.run().0 == 0)
        let test = starter.repository.appendingPathComponent("tests/test_broken.py")
        try """
            import unittest


            class BrokenTest(unittest.TestCase):
                def test_fails(self):
                    self.assertEqual(3, 4)
            """.write(to: test, atomically: true, encoding: .utf8)
        try starter.commit("Break a test")
        let (status, text) = try starter.run()
        #expect(status == 1, "\(text)")
        #expect(!text.contains("cache hit"))
        #expect(text.contains("run 2: failed: step test exited with status 1: FAILED (failures=1)"), "\(text)")
        #expect(!text.contains("▸ train"))

        try FileManager.default.removeItem(at: test)
        try starter.commit("Mend the test")
        let (again, retrained) = try starter.run(["--no-cache"])
        #expect(again == 0, "\(retrained)")
        #expect(!retrained.contains("cache hit"))
        #expect(retrained.contains("▸ train: python3 train.py"))
    }

    @Test("sluice run says once that uncommitted changes are left out, and warns when release_branch is not a branch")
    func uncommittedChangesAndMissingReleaseBranch() throws {
        let starter = try StarterRepository()
        try "# notes\n".write(to: starter.repository.appendingPathComponent("NOTES.md"), atomically: true, encoding: .utf8)
        try "print('changed')\n".write(to: starter.repository.appendingPathComponent("train.py"), atomically: true, encoding: .utf8)
        let (status, text) = try starter.run()
        #expect(status == 0, "\(text)")
        #expect(text.contains("note: 2 uncommitted changes are not part of this run (NOTES.md, train.py); commit to include them"), "\(text)")
        #expect(!text.contains("release_branch"))

        _ = try GitCLI.run(["branch", "-m", "main", "master"], in: starter.repository)
        let (renamed, warned) = try starter.run()
        #expect(renamed == 0, "\(warned)")
        #expect(
            warned.contains(
                "warning: release_branch 'main' is not a branch of this repository (its branches: master), so runs only gate "
                    + "and nothing is registered or promoted: rename yours (git branch -m master main) or set release_branch in .sluice.yml"),
            "\(warned)")
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

    @Test("What the user must fix before a run is said as such, exit 2, and no run number is used up")
    func problemsBeforeARun() throws {
        let scratch = try ScratchDirectory("sluice-run-problems")
        let state = scratch.path("state").path
        try scratch.write("print(1)\n", to: "plain/train.py")
        let (plain, notRepository) = try SluiceProcess.run(["run", scratch.path("plain").path, "--state-dir", state])
        #expect(plain == 2)
        #expect(notRepository.contains("is not a git repository: run 'git init -b main' there and commit your files"), "\(notRepository)")

        _ = try GitCLI.run(["init", "-q", "-b", "main"], in: scratch.path("plain"))
        let (empty, noCommits) = try SluiceProcess.run(["run", scratch.path("plain").path, "--state-dir", state])
        #expect(empty == 2)
        #expect(noCommits.contains("has no commits yet: commit your files first"), "\(noCommits)")

        let starter = try StarterRepository()
        let (missing, noBaseline) = try starter.run(["--baseline", "/nonexistent/prod.json"])
        #expect(missing == 2)
        #expect(noBaseline.contains("--baseline /nonexistent/prod.json: no such file; write the production model's metrics there"), "\(noBaseline)")

        let spec = starter.repository.appendingPathComponent(".sluice.yml")
        try "version: 2\n".write(to: spec, atomically: true, encoding: .utf8)
        try starter.commit("Break the spec")
        #expect(try starter.run().0 == 2)
        _ = try GitCLI.run(["revert", "--no-edit", "HEAD"], in: starter.repository)
        let (status, text) = try starter.run()
        #expect(status == 0, "\(text)")
        #expect(text.contains("run 1: passed"), "a refused spec must not use up a run number: \(text)")
    }

    @Test("sluice run --json carries the run, its steps with their outcomes, and each step's log file")
    func jsonCarriesSteps() throws {
        let starter = try StarterRepository()
        let (status, text) = try SluiceProcess.run(["run", starter.repository.path, "--state-dir", starter.state.path, "--json"])
        #expect(status == 0, "\(text)")
        // Standard output's pretty-printed object is the one whose braces start a line.
        let start = try #require(text.firstRange(of: "\n{\n"), "\(text)")
        let end = try #require(text[start.upperBound...].firstRange(of: "\n}"), "\(text)")
        let json = String(text[text.index(after: start.lowerBound)..<end.upperBound])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(text)")
        #expect(object["state"] as? String == "passed")
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["name"] as? String } == ["test", "train", "validate"])
        #expect(steps.allSatisfy { $0["outcome"] as? String == "done" && $0["succeeded"] as? Bool == true })
        for step in steps {
            let log = try #require(step["log"] as? String)
            #expect(FileManager.default.fileExists(atPath: log), "\(log)")
        }
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
