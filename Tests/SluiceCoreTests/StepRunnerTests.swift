import Foundation
import Glibc
@testable import SluiceCore
import SluiceTesting
import Testing

@Suite("StepRunner: a step as a child process with a deadline and captured output")
struct StepRunnerTests {
    @Test("A step that exits 0 succeeds and its output reaches the log and the listener")
    func exitZero() async throws {
        let fixture = try StepFixture()

        let result = try await fixture.run(fixture.step("echo hello; echo world"))

        #expect(result.termination == .exited(0))
        #expect(result.succeeded)
        #expect(fixture.lines.all == ["hello", "world"])
        #expect(try fixture.log() == "hello\nworld\n")
        #expect(result.logBytes == 12)
        #expect(!result.truncated)
        #expect(result.endedAt >= result.startedAt)
    }

    @Test("A step that exits non-zero reports its status and does not succeed")
    func exitNonZero() async throws {
        let fixture = try StepFixture()

        let result = try await fixture.run(fixture.step("echo failing; exit 3"))

        #expect(result.termination == .exited(3))
        #expect(!result.succeeded)
        #expect(fixture.lines.all == ["failing"])
    }

    @Test("A step killed by a signal reports the signal")
    func killedBySignal() async throws {
        let fixture = try StepFixture()

        let result = try await fixture.run(fixture.step("kill -KILL $$"))

        #expect(result.termination == .signaled(SIGKILL))
    }

    @Test("stdout and stderr are merged in the order the step wrote them")
    func interleaving() async throws {
        let fixture = try StepFixture()

        _ = try await fixture.run(fixture.step("echo a; echo b >&2; echo c; echo d >&2"))

        #expect(fixture.lines.all == ["a", "b", "c", "d"])
        #expect(try fixture.log() == "a\nb\nc\nd\n")
    }

    @Test("A partial last line is delivered and a trailing carriage return is dropped")
    func partialLastLine() async throws {
        let fixture = try StepFixture()

        _ = try await fixture.run(fixture.step(#"printf 'windows\r\nno newline'"#))

        #expect(fixture.lines.all == ["windows", "no newline"])
        #expect(try fixture.log() == "windows\nno newline\n")
    }

    @Test("The child sees exactly the environment it is given")
    func exactEnvironment() async throws {
        let fixture = try StepFixture()
        #expect(ProcessInfo.processInfo.environment["HOME"] != nil)
        let environment = StepFixture.environment.merging(["SLUICE_RUN_ID": "run-42"]) { $1 }

        _ = try await fixture.run(fixture.step("env", environment: environment))

        let variables = Set(fixture.lines.all.map { String($0.prefix { $0 != "=" }) })
        #expect(fixture.lines.all.contains("SLUICE_RUN_ID=run-42"))
        #expect(fixture.lines.all.contains("PATH=/usr/bin:/bin"))
        #expect(!variables.contains("HOME"))
        // Only what was given, plus PWD, which the shell itself sets.
        #expect(variables.subtracting(environment.keys).subtracting(["PWD"]).isEmpty)
    }

    @Test("A step whose working directory does not exist is refused before anything runs")
    func missingWorkingDirectory() async throws {
        let fixture = try StepFixture()
        var step = fixture.step("echo never")
        step.workingDirectory = fixture.scratch.path("missing")

        let error = await #expect(throws: StepError.self) { try await fixture.run(step) }

        #expect(error?.code == .workingDirectoryMissing)
        #expect(fixture.lines.all.isEmpty)
    }

    @Test("A step past its deadline is stopped with its whole group, including a grandchild that ignores SIGTERM")
    func deadlineKillsWholeGroup() async throws {
        let fixture = try StepFixture()
        let step = fixture.step(
            #"trap "" TERM; sleep 1000 & echo $! > grandchild.pid; echo $$ > group.pid; sleep 1000"#,
            timeout: .seconds(1), killGrace: .seconds(1)
        )

        let result = try await fixture.run(step)

        #expect(result.termination == .timedOut)
        // SIGTERM was ignored, so the group had its full grace before SIGKILL.
        #expect(result.endedAt.timeIntervalSince(result.startedAt) >= 1.9)
        let group = try fixture.pid("group.pid")
        #expect(StepFixture.groupHasNoLiveMember(group))
        #expect(StepFixture.groupIsGone(group))
        #expect(StepFixture.processIsGone(try fixture.pid("grandchild.pid")))
    }

    @Test("A step that closes its output is still stopped at its deadline")
    func deadlineAfterOutputCloses() async throws {
        let fixture = try StepFixture()
        let step = fixture.step(
            "echo $$ > group.pid; echo bye; exec >/dev/null 2>&1; sleep 1000",
            timeout: .seconds(1), killGrace: .seconds(1)
        )

        let result = try await fixture.run(step)

        #expect(result.termination == .timedOut)
        #expect(fixture.lines.all == ["bye"])
        #expect(StepFixture.groupIsGone(try fixture.pid("group.pid")))
    }

    @Test("A step whose shell exits ends then, and the background process it left is killed")
    func leftoverBackgroundProcess() async throws {
        let fixture = try StepFixture()
        let step = fixture.step("sleep 1000 & echo $! > grandchild.pid; echo $$ > group.pid; echo done")

        let result = try await fixture.run(step)

        #expect(result.termination == .exited(0))
        #expect(fixture.lines.all == ["done"])
        #expect(StepFixture.groupIsGone(try fixture.pid("group.pid")))
        #expect(StepFixture.processIsGone(try fixture.pid("grandchild.pid")))
    }

    @Test("Cancelling the task stops the step gracefully and its whole group goes")
    func cancellation() async throws {
        let fixture = try StepFixture()
        let (lines, linesSource) = AsyncStream.makeStream(of: String.self)
        let step = fixture.step(
            "sleep 1000 & echo $! > grandchild.pid; echo $$ > group.pid; echo ready; sleep 1000",
            killGrace: .seconds(10)
        )
        let running = Task {
            try await StepRunner(clock: SystemClock()).run(step, redactor: Redactor(secrets: [])) { linesSource.yield($0) }
        }

        try await Deadline.first(in: lines, within: .seconds(10)) { $0 == "ready" }
        running.cancel()
        let result = try await running.value

        #expect(result.termination == .cancelled)
        // Every member obeyed SIGTERM, so the runner did not wait out the 10 s grace.
        #expect(result.endedAt.timeIntervalSince(result.startedAt) < 8)
        #expect(StepFixture.groupIsGone(try fixture.pid("group.pid")))
        #expect(StepFixture.processIsGone(try fixture.pid("grandchild.pid")))
    }

    @Test("Output over the log limit keeps the head and the tail around a marker of what was omitted")
    func logCap() async throws {
        let fixture = try StepFixture()
        let limit = 1024 * 1024
        let count = 420_000
        let totalBytes = (1...count).reduce(0) { $0 + String($1).utf8.count + 1 }
        #expect(totalBytes > 2 * 1024 * 1024)

        let result = try await fixture.run(fixture.step("seq 1 \(count)", logLimit: limit))

        let log = try fixture.log()
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let marker = try #require(lines.first { $0.hasPrefix("[sluice: ") })
        #expect(result.truncated)
        #expect(result.logBytes == log.utf8.count)
        #expect(log.utf8.count <= limit + marker.utf8.count + 1)
        #expect(lines.first == "1")
        #expect(lines.last == "\(count)")
        #expect(fixture.lines.all.count == count)
        // Head and tail are whole lines, and the marker counts exactly what is missing.
        let omitted = try #require(Int(marker.dropFirst("[sluice: ".count).prefix { $0.isNumber }))
        #expect(marker == "[sluice: \(omitted) bytes of output omitted]")
        #expect(log.utf8.count - marker.utf8.count - 1 + omitted == totalBytes)
        let markerIndex = try #require(lines.firstIndex(of: marker))
        let head = lines[..<markerIndex].compactMap { Int($0) }
        let tail = lines[(markerIndex + 1)...].compactMap { Int($0) }
        #expect(head == Array(1...head.count))
        #expect(tail == Array((count - tail.count + 1)...count))
    }

    @Test("A secret never reaches the log or the listener, from stdout, stderr or printed in pieces")
    func secretsAreRedacted() async throws {
        let fixture = try StepFixture()
        let secret = "hunter2-s3cr3t"
        let environment = StepFixture.environment.merging(["API_TOKEN": secret]) { $1 }
        let step = fixture.step(
            #"echo "token=$API_TOKEN"; echo "stderr $API_TOKEN" >&2; printf 'hunter2-'; sleep 0.2; printf 's3cr3t!\n'"#,
            environment: environment
        )

        _ = try await fixture.run(step, secrets: ["", secret])

        let log = try fixture.log()
        #expect(!log.contains(secret))
        #expect(!fixture.lines.all.contains { $0.contains(secret) })
        #expect(fixture.lines.all == ["token=<redacted>", "stderr <redacted>", "<redacted>!"])
        #expect(log == "token=<redacted>\nstderr <redacted>\n<redacted>!\n")
    }

    @Test("An overlong line is delivered in pieces, with a secret across a piece boundary still redacted")
    func overlongLine() async throws {
        let fixture = try StepFixture()
        let secret = "very-secret-value"
        let line = String(repeating: "x", count: 64 * 1024 - 5) + secret + String(repeating: "y", count: 150_000)
        let step = fixture.step(#"python3 -c "print('x' * 65531 + 'very-secret-value' + 'y' * 150000)""#)

        _ = try await fixture.run(step, secrets: [secret])

        let pieces = fixture.lines.all
        #expect(pieces.count > 1)
        #expect(pieces.allSatisfy { $0.utf8.count <= 64 * 1024 + 64 })
        #expect(pieces.joined() == line.replacingOccurrences(of: secret, with: "<redacted>"))
        #expect(!(try fixture.log()).contains(secret))
    }
}
