import Foundation
import SluiceTesting
import Testing

/// The scikit-learn starter through the real binary, its packages from a loopback index (the wheels
/// `make test` downloads), as a newcomer's `sluice init --starter sklearn` then `sluice run`.
@Suite("The scikit-learn starter", .serialized)
struct SklearnStarterTests {
    @Test("sluice run builds its environment once, trains, gates and passes; the next commit's run builds nothing")
    func builtOnceThenReused() async throws {
        let wheels = PackageIndex.wheels.path
        try #require(
            FileManager.default.fileExists(atPath: wheels + "/.downloaded"),
            "the scikit-learn wheels are missing from \(wheels); run make test (it downloads them from PyPI)")
        let scratch = try ScratchDirectory("sluice-sklearn")
        let repository = scratch.path("diagnosis")
        let state = scratch.path("state")
        let (created, initText) = try SluiceProcess.run(["init", "--starter", "sklearn", repository.path])
        try #require(created == 0, "\(initText)")
        _ = try GitCLI.run(["init", "-q", "-b", "main"], in: repository)
        _ = try GitCLI.run(["add", "-A"], in: repository)
        _ = try GitCLI.run(["commit", "-q", "-m", "Starter project"], in: repository)

        try await PackageIndex.serve { index in
            let (status, text) = try SluiceProcess.run(
                ["run", repository.path, "--state-dir", state.path], environment: ["PIP_INDEX_URL": index])
            #expect(status == 0, "\(text)")
            #expect(text.contains("▸ environment: "))
            #expect(text.contains("Successfully installed"), "\(text)")
            #expect(text.contains("environment: python 3."))
            #expect(text.contains("from requirements.txt (built)"))
            #expect(text.contains("trained on 426 tumours with scikit-learn 1.9.1"), "\(text)")
            #expect(text.contains("run 1: passed: gate passed"))
        }

        // The index is gone (a closed port in its place): a build now would fail, so passing proves nothing is built.
        try "# a comment that changes the commit\n".write(
            to: repository.appendingPathComponent("NOTES.md"), atomically: true, encoding: .utf8)
        let train = repository.appendingPathComponent("train.py")
        try (try String(contentsOf: train, encoding: .utf8) + "# retrained\n").write(to: train, atomically: true, encoding: .utf8)
        _ = try GitCLI.run(["add", "-A"], in: repository)
        _ = try GitCLI.run(["commit", "-q", "-m", "Retrain"], in: repository)
        let (status, text) = try SluiceProcess.run(
            ["run", repository.path, "--state-dir", state.path, "--json"], environment: ["PIP_INDEX_URL": "http://127.0.0.1:9/simple"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("(reused, nothing to build)"), "\(text)")
        #expect(!text.contains("▸ environment"))
        let json = try #require(text.firstRange(of: "\n{").map { String(text[$0.lowerBound...]) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["name"] as? String } == ["test", "train", "validate"])
        let conclusion = try #require(object["conclusion"] as? [String: Any])
        let environment = try #require(conclusion["environment"] as? [String: Any], "\(json)")
        #expect(environment["requirements"] as? String == "requirements.txt")
    }
}
