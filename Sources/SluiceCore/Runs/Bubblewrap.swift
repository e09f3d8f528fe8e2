import Foundation

/// The bubblewrap (`bwrap`) sandbox that untrusted steps run in.
///
/// The sandbox sees the host read-only, a fresh `/dev`, `/proc` and `/tmp`, no network (a new network namespace
/// with only loopback), its own pid namespace, and no capabilities; only the directories a step is granted are
/// writable. bwrap is found on a fixed `PATH`, not Sluice's own, so a directory earlier on `PATH` cannot swap it.
///
/// `--new-session` is left out on purpose: it would move the command out of the step's process group, so the group
/// signals that enforce deadlines would miss it. The step already starts a new session without a controlling
/// terminal, which is what `--new-session` protects against (`TIOCSTI` input injection).
public enum Bubblewrap {
    /// Where bwrap is looked for, in order.
    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The isolation every sandboxed command gets, before the step's own binds.
    static let isolation = [
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--unshare-net",
        "--unshare-pid",
        "--die-with-parent",
        "--cap-drop", "ALL",
    ]

    /// The arguments of the trivial sandboxed command that tells whether bwrap works on this host.
    static let probeArguments = isolation + ["--", "/bin/sh", "-c", "true"]

    /// Whether bwrap is installed and can create its sandbox here (a trivial sandboxed `true` succeeds).
    ///
    /// It starts a process and waits for it (a few milliseconds), so call it at start-up, for example to resolve
    /// `sandbox: auto`, not on a hot path.
    public static func isUsable() -> Bool {
        guard let executable = executable() else {
            return false
        }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: executable)
        probe.arguments = probeArguments
        probe.environment = [:]
        probe.standardInput = FileHandle.nullDevice
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
        } catch {
            return false
        }
        probe.waitUntilExit()
        return probe.terminationReason == .exit && probe.terminationStatus == 0
    }

    /// The path of the bwrap executable on `searchPath`, if there is one.
    static func executable() -> String? {
        searchPath.map { "\($0)/bwrap" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The bwrap arguments that run `command` with `/bin/sh -c` in `workingDirectory`, with `writable` writable.
    ///
    /// Binds come after `--tmpfs /tmp`, so a run directory under `/tmp` stays visible. A working directory outside
    /// every writable directory is bound read-only, so the command can still start there.
    static func arguments(command: String, workingDirectory: URL, writable: [URL]) -> [String] {
        let writablePaths = writable.map { $0.standardizedFileURL.path }
        let workingPath = workingDirectory.standardizedFileURL.path
        var arguments = isolation
        if !writablePaths.contains(where: { workingPath == $0 || workingPath.hasPrefix($0 + "/") }) {
            arguments += ["--ro-bind", workingPath, workingPath]
        }
        for path in writablePaths {
            arguments += ["--bind", path, path]
        }
        return arguments + ["--chdir", workingPath, "--", "/bin/sh", "-c", command]
    }
}
