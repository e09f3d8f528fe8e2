import Foundation
@testable import Git
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Runs: one mirror per project")
struct WorkspaceTests {
    @Test("The first refresh clones the project's mirror; later ones fetch into it, concurrent ones included")
    func mirrorIsClonedOnceThenFetched() async throws {
        let scratch = try ScratchDirectory("sluice-workspace")
        let remote = scratch.path("churn.git")
        let work = scratch.path("work")
        _ = try GitCLI.run(["init", "-q", "--bare", "-b", "main", remote.path])
        _ = try GitCLI.run(["clone", "-q", remote.path, work.path])
        try scratch.write("print(1)\n", to: "work/train.py")
        _ = try GitCLI.shell("git add -A && git commit -qm one && git push -q origin main", in: work)

        let workspace = Workspace(stateDirectory: scratch.path("state"))
        let project = ProjectConfig(name: "churn", forge: .github, repo: "file://\(remote.path)")
        let (repository, first) = try await workspace.refresh(project)
        #expect(first.created)
        #expect(repository.path.path == scratch.path("state/mirrors/churn.git").path)

        try scratch.write("print(2)\n", to: "work/train.py")
        _ = try GitCLI.shell("git commit -qam two && git push -q origin main", in: work)
        let head = try GitCLI.run(["rev-parse", "HEAD"], in: work).trimmingCharacters(in: .whitespacesAndNewlines)
        async let one = workspace.refresh(project)
        async let two = workspace.refresh(project)
        let (afterOne, afterTwo) = try await (one, two)
        #expect(!afterOne.1.created && !afterTwo.1.created)
        #expect(try repository.resolve("main").hex == head)
    }
}
