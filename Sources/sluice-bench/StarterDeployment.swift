import ArgumentParser
import Curl
import Foundation
import SluiceTesting

/// The starter project and a deploy repository, served over smart HTTP on loopback, for the
/// benchmarks that time a push from webhook to staging's manifest commit.
struct StarterDeployment {
    let model: RemoteFixture
    let deploy: RemoteFixture
    let git: GitHTTPServer
    private let train: String

    /// Creates both repositories under `served`: the starter project from `template`, and a deploy
    /// repository with one commit.
    init(in served: URL, template: URL) throws {
        model = try RemoteFixture(named: "churn", in: served)
        try GitCLI.shell("cp -R '\(template.path)'/. '\(model.work.path)'/")
        try model.commit([:], message: "Starter project")
        try model.push()
        deploy = try RemoteFixture(named: "deploy", in: served)
        try deploy.commit(["README.md": "# deploy\n"], message: "Start the deploy repository")
        try deploy.push()
        git = try GitHTTPServer(root: served)
        train = try String(contentsOf: model.work.appending(path: "train.py"), encoding: .utf8)
    }

    /// Commits and pushes a change the spec's inputs see, so its run trains; returns the push's
    /// old and new heads.
    func pushTrainingChange(_ note: String) throws -> (before: String, after: String) {
        let before = try model.git(["rev-parse", "HEAD"])
        try model.commit(["train.py": train + "\n# \(note)\n"], message: note)
        try model.push()
        return (before, try model.git(["rev-parse", "HEAD"]))
    }

    /// Delivers the push `before`..`after` to the server at `base` and waits until the deploy
    /// repository has one commit more. Fails after five minutes, or as soon as `alive` says a
    /// server is gone, with `diagnosis` in the message.
    func deliverAndWaitForManifest(
        _ client: HTTPClient, base: String, push: (before: String, after: String), alive: () -> Bool,
        diagnosis: () async throws -> String
    ) async throws {
        let commits = try GitCLI.run(["rev-list", "--count", "main"], in: deploy.bare)
        let response = try await EndToEndBenchmark.deliverPush(
            client, base: base, project: "churn", before: push.before, after: push.after)
        guard response.status == 202 else { throw ValidationError("the webhook answered \(response.status)") }
        let deadline = ContinuousClock.now + .seconds(300)
        while try GitCLI.run(["rev-list", "--count", "main"], in: deploy.bare) == commits {
            guard alive(), ContinuousClock.now < deadline else {
                throw ValidationError("no manifest commit within 5 minutes; \(try await diagnosis())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
