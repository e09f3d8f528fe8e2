import Foundation
import Subprocess
import SystemPackage

/// The process that runs a step: `/bin/sh -c <command>` directly, or inside bubblewrap.
///
/// The environment goes to bwrap's own process, which passes it on unchanged, rather than into `--setenv`
/// arguments: a process's arguments are readable by every user on the host, its environment only by its owner.
struct StepCommand: Sendable {
    var executable: String
    var arguments: [String]

    /// Checks what the step needs from the host and chooses the executable and its arguments.
    static func resolve(_ step: StepInvocation) async throws(StepError) -> StepCommand {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: step.workingDirectory.path, isDirectory: &isDirectory),
              isDirectory.boolValue
        else {
            throw StepError(
                .workingDirectoryMissing, step: step.name,
                message: "working directory \(step.workingDirectory.path) does not exist or is not a directory"
            )
        }
        switch step.sandbox {
        case .none:
            return StepCommand(executable: "/bin/sh", arguments: ["-c", step.command])
        case .bubblewrap(let writable, let readOnly, let network):
            guard let bwrap = Bubblewrap.executable(), await works(bwrap) else {
                throw StepError(
                    .sandboxUnavailable, step: step.name,
                    message: "the step must run in a bubblewrap sandbox, but bwrap is not installed or cannot create "
                        + "namespaces on this host; install bubblewrap (apt-get install bubblewrap) and allow "
                        + "unprivileged user namespaces, or run Sluice as root"
                )
            }
            return StepCommand(
                executable: bwrap,
                arguments: Bubblewrap.arguments(
                    command: step.command, workingDirectory: step.workingDirectory, writable: writable,
                    readOnly: readOnly, network: network
                )
            )
        }
    }

    /// Whether bwrap at `path` runs a trivial sandboxed command; the asynchronous twin of `Bubblewrap.isUsable()`.
    private static func works(_ path: String) async -> Bool {
        let probe = try? await Subprocess.run(
            .path(FilePath(path)),
            arguments: Arguments(Bubblewrap.probeArguments),
            environment: .custom([:]),
            output: .discarded,
            error: .discarded
        )
        return probe?.terminationStatus == .exited(0)
    }
}
