import Foundation
import Subprocess
import SystemPackage

/// Runs one pipeline step as a child process with a deadline, capturing its output through the run's `Redactor`.
///
/// The step runs as `/bin/sh -c <command>` in a new session, so it and everything it forks share one process
/// group. stdout and stderr share one pipe, so their lines keep the order the step wrote them in. On the deadline
/// or when the calling task is cancelled the whole group gets SIGTERM, then SIGKILL after the step's `killGrace`
/// (sooner if every member has exited). After any end the group gets SIGKILL again and the runner waits, with a
/// bound, until `kill(-pgid, 0)` fails: no grandchild outlives its step.
///
/// Each line is redacted before it is written to the log or passed to `onLine`, which is called on the task that
/// reads the output, one line at a time, in order.
struct StepRunner: Sendable {
    /// What the step's deadline, its stop's grace and the sweep of its group are measured on.
    let clock: any WallClock

    init(clock: any WallClock) {
        self.clock = clock
    }

    /// Runs `step` to its end and reports how it ended.
    ///
    /// Cancelling the calling task stops the step (as the deadline does) and returns `.cancelled`; the call still
    /// waits for the group to be gone. Throws `StepError` when the step could not be started or watched.
    func run(
        _ step: StepInvocation,
        redactor: Redactor,
        onLine: @escaping @Sendable (String) -> Void
    ) async throws -> StepResult {
        let (cancellation, cancel) = AsyncStream.makeStream(of: Never.self)
        // The supervision is its own task, which nothing cancels: the caller's cancellation reaches it as an event
        // that stops the group gracefully. Cancelling swift-subprocess's `run` instead would SIGKILL the direct
        // child at once and leave its descendants to the final sweep.
        let supervision = Task { [clock] in
            try await Self.supervise(step, redactor: redactor, onLine: onLine, cancellation: cancellation, clock: clock)
        }
        return try await withTaskCancellationHandler {
            try await supervision.value
        } onCancel: {
            cancel.finish()
        }
    }

    /// What the supervision waits for.
    private enum Event: Sendable {
        case exited(Result<Exit, any Error>)
        case deadlinePassed
        case cancelRequested
    }

    /// How the direct child ended and what its output left in the log.
    private struct Exit: Sendable {
        var status: TerminationStatus
        var logBytes: Int
        var truncated: Bool
        var lastLine: String?
    }

    private static func supervise(
        _ step: StepInvocation,
        redactor: Redactor,
        onLine: @escaping @Sendable (String) -> Void,
        cancellation: AsyncStream<Never>,
        clock: any WallClock
    ) async throws -> StepResult {
        let command = try await StepCommand.resolve(step)
        let startedAt = clock.now
        let (spawned, spawnedSource) = AsyncStream.makeStream(of: ProcessGroup.self)
        let (group, stopped, exit) = await withTaskGroup(of: Event.self) { tasks in
            tasks.addTask {
                defer { spawnedSource.finish() }
                do {
                    return .exited(.success(try await execute(command, step, redactor, onLine) { group in
                        spawnedSource.yield(group)
                    }))
                } catch {
                    return .exited(.failure(error))
                }
            }
            var spawnedGroups = spawned.makeAsyncIterator()
            let group = await spawnedGroups.next()
            if group != nil {
                tasks.addTask {
                    await clock.pause(for: step.timeout)
                    return .deadlinePassed
                }
                tasks.addTask {
                    for await _ in cancellation {}
                    return .cancelRequested
                }
            }
            var stopped: StepResult.Termination?
            while let event = await tasks.next() {
                switch event {
                case .exited(let exit):
                    // Ends the timer and the cancellation watch; their results are not looked at.
                    tasks.cancelAll()
                    return (group, stopped, exit)
                case .deadlinePassed where stopped == nil:
                    stopped = .timedOut
                    await group?.stop(grace: step.killGrace, clock: clock)
                case .cancelRequested where stopped == nil:
                    stopped = .cancelled
                    await group?.stop(grace: step.killGrace, clock: clock)
                case .deadlinePassed, .cancelRequested:
                    break
                }
            }
            preconditionFailure("the step's task always reports how it exited")
        }
        let survivors = await group?.reap(clock: clock) ?? []
        let endedAt = clock.now
        if let group, !survivors.isEmpty {
            throw StepError(
                .processesSurvived, step: step.name,
                message: "processes \(survivors) of group \(group.id) were still alive after SIGKILL"
            )
        }
        switch exit {
        case .success(let exit):
            return StepResult(
                termination: stopped ?? termination(exit.status),
                startedAt: startedAt, endedAt: endedAt,
                logBytes: exit.logBytes, truncated: exit.truncated, lastLine: exit.lastLine
            )
        case .failure(let error):
            throw stepError(error, step, redactor)
        }
    }

    /// Starts the step, reports its process group through `started`, and captures its output until it exits.
    private static func execute(
        _ command: StepCommand,
        _ step: StepInvocation,
        _ redactor: Redactor,
        _ onLine: @escaping @Sendable (String) -> Void,
        started: (ProcessGroup) -> Void
    ) async throws -> Exit {
        let log: StepLog
        do {
            log = try StepLog(at: step.logFile, limit: step.logLimit)
        } catch {
            throw StepError(
                .logUnwritable, step: step.name, message: "cannot create log \(step.logFile.path): \(error)"
            )
        }
        var options = PlatformOptions()
        options.createSession = true
        let environment = Dictionary(
            uniqueKeysWithValues: step.environment.compactMap { name, value in
                Environment.Key(rawValue: name).map { ($0, value) }
            }
        )
        let result = try await Subprocess.run(
            .path(FilePath(command.executable)),
            arguments: Arguments(command.arguments),
            environment: .custom(environment),
            workingDirectory: FilePath(step.workingDirectory.path),
            platformOptions: options,
            input: .none,
            output: .sequence,
            error: .combinedWithOutput
        ) { execution in
            started(ProcessGroup(id: execution.processIdentifier.value))
            var capture = OutputCapture(redactor: redactor, log: log, onLine: onLine)
            do {
                // Ends at EOF, or once the direct child has exited even if a grandchild holds the pipe open.
                for try await chunk in execution.standardOutput {
                    try capture.consume(chunk.withUnsafeBytes { Array($0) })
                }
                return try capture.finish()
            } catch let error as POSIXError {
                throw StepError(
                    .logUnwritable, step: step.name, message: "cannot write log \(step.logFile.path): \(error)"
                )
            }
        }
        let (logBytes, truncated, lastLine) = result.closureResult
        return Exit(status: result.terminationStatus, logBytes: logBytes, truncated: truncated, lastLine: lastLine)
    }

    private static func termination(_ status: TerminationStatus) -> StepResult.Termination {
        switch status {
        case .exited(let code): .exited(code)
        case .signaled(let signal): .signaled(signal)
        }
    }

    /// `error` as a `StepError`, with anything secret removed from its message.
    private static func stepError(_ error: any Error, _ step: StepInvocation, _ redactor: Redactor) -> StepError {
        if let error = error as? StepError {
            return error
        }
        return StepError(
            .launchFailed, step: step.name,
            message: redactor.redact("running `\(step.command)` failed: \(error)")
        )
    }
}
