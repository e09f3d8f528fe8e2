import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("Sandbox: untrusted steps under bubblewrap")
struct SandboxTests {
    /// Reports what the step could do: reach the loopback listener, write in its run directory, write outside it.
    static let probe = """
        if bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; then echo network=yes; else echo network=no; fi
        if { echo x > inside.txt; } 2>/dev/null; then echo inside=yes; else echo inside=no; fi
        if test -d "$OUTSIDE"; then echo outside-visible=yes; else echo outside-visible=no; fi
        if { echo x > "$OUTSIDE/outside.txt"; } 2>/dev/null; then echo outside=yes; else echo outside=no; fi
        echo "marker=$MARKER"
        """

    /// Scratch space under /var/tmp, which stays visible inside the sandbox (its /tmp is private).
    static let parent = URL(fileURLWithPath: "/var/tmp")

    @Test(
        "A sandboxed step cannot reach the network or write outside its run directory",
        .enabled(if: Bubblewrap.isUsable(), "bubblewrap is not usable on this host; the sandbox test is skipped")
    )
    func sandboxed() async throws {
        let fixture = try StepFixture(in: Self.parent)
        let outside = try ScratchDirectory("sluice-outside", in: Self.parent)
        let listener = try LoopbackListener()
        let step = fixture.step(
            Self.probe,
            environment: StepFixture.environment.merging(
                ["PORT": "\(listener.port)", "OUTSIDE": outside.url.path, "MARKER": "passed"]
            ) { $1 },
            sandbox: .bubblewrap(writable: [fixture.runDirectory])
        )

        let result = try await fixture.run(step)

        #expect(result.termination == .exited(0))
        // It does not even see a folder outside the ones it was given.
        #expect(fixture.lines.all == [
            "network=no", "inside=yes", "outside-visible=no", "outside=no", "marker=passed",
        ])
        #expect(FileManager.default.fileExists(atPath: fixture.runDirectory.appendingPathComponent("inside.txt").path))
    }

    @Test(
        "A trusted run's sandbox with projects[].network on reaches loopback, and still sees nothing outside its run directory",
        .enabled(if: Bubblewrap.isUsable(), "bubblewrap is not usable on this host; the sandbox test is skipped")
    )
    func sandboxedWithNetwork() async throws {
        let fixture = try StepFixture(in: Self.parent)
        let outside = try ScratchDirectory("sluice-outside", in: Self.parent)
        let listener = try LoopbackListener()
        let step = fixture.step(
            Self.probe,
            environment: StepFixture.environment.merging(
                ["PORT": "\(listener.port)", "OUTSIDE": outside.url.path, "MARKER": "passed"]
            ) { $1 },
            sandbox: .bubblewrap(writable: [fixture.runDirectory], network: true)
        )

        _ = try await fixture.run(step)

        #expect(fixture.lines.all == [
            "network=yes", "inside=yes", "outside-visible=no", "outside=no", "marker=passed",
        ])
    }

    @Test("An unsandboxed step can reach loopback and write outside its run directory")
    func unsandboxed() async throws {
        let fixture = try StepFixture(in: Self.parent)
        let outside = try ScratchDirectory("sluice-outside", in: Self.parent)
        let listener = try LoopbackListener()
        let step = fixture.step(
            Self.probe,
            environment: StepFixture.environment.merging(
                ["PORT": "\(listener.port)", "OUTSIDE": outside.url.path, "MARKER": "passed"]
            ) { $1 }
        )

        _ = try await fixture.run(step)

        #expect(fixture.lines.all == [
            "network=yes", "inside=yes", "outside-visible=yes", "outside=yes", "marker=passed",
        ])
    }
}
