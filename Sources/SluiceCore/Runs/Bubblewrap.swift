import Foundation

/// The bubblewrap (`bwrap`) sandbox that steps run in.
///
/// A sandboxed step sees only what it needs, on an empty root: the system's programs and
/// libraries read-only (`/usr` and the top-level links or folders into it), the few `/etc` files
/// that programs read, a fresh `/dev` and `/proc`, a private `/tmp`, its own work folder (source
/// export, output, home) writable, and its data inputs and the baseline's metrics read-only. No
/// `/root`, `/home`, state directory, config, other runs, or the server's logs. It has its own pid,
/// IPC, UTS and user namespaces, no capabilities, and no network unless it is trusted code whose
/// project allows network (`projects[].network`). bwrap is found on a fixed `PATH`, not Sluice's
/// own, so a directory earlier on `PATH` cannot swap it.
///
/// `--new-session` is left out on purpose: it would move the command out of the step's process group, so the group
/// signals that enforce deadlines would miss it. The step already starts a new session without a controlling
/// terminal, which is what `--new-session` protects against (`TIOCSTI` input injection).
enum Bubblewrap {
    /// Where bwrap is looked for, in order.
    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The top-level system folders a program may need besides `/usr`; on merged-/usr systems
    /// they are links into it, and are recreated as links.
    static let systemFolders = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]

    /// The `/etc` entries programs read to start and to resolve users, hosts and certificates;
    /// nothing else of `/etc` (where a server config may live) is visible.
    static let etcEntries = [
        "alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd", "group",
        "nsswitch.conf", "hosts", "host.conf", "resolv.conf", "gai.conf", "services", "protocols", "ssl",
        "ca-certificates", "ca-certificates.conf", "mime.types", "os-release", "debian_version", "python3",
    ].map { "/etc/\($0)" }

    /// The isolation every sandboxed command gets, before its own folders.
    static func isolation(network: Bool) -> [String] {
        var arguments = ["--unshare-all", "--die-with-parent", "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr"]
        if network { arguments.append("--share-net") }
        for folder in systemFolders {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: folder) {
                arguments += ["--symlink", target, folder]
            } else if FileManager.default.fileExists(atPath: folder) {
                arguments += ["--ro-bind", folder, folder]
            }
        }
        for entry in etcEntries {
            arguments += ["--ro-bind-try", entry, entry]
        }
        return arguments + ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    }

    /// The arguments of the trivial sandboxed command that tells whether bwrap works on this host.
    static var probeArguments: [String] { isolation(network: false) + ["--", "/bin/sh", "-c", "true"] }

    /// Whether bwrap is installed and can create its sandbox here (a trivial sandboxed `true` succeeds).
    ///
    /// It starts a process and waits for it (a few milliseconds), so call it at start-up, for example to resolve
    /// `sandbox: auto`, not on a hot path.
    static func isUsable() -> Bool {
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

    /// The bwrap arguments that run `command` with `/bin/sh -c` in `workingDirectory`, with
    /// `writable` writable and `readOnly` (files or folders) readable, each at its own path.
    ///
    /// Binds come after `--tmpfs /tmp`, so a run folder under `/tmp` stays visible. A working directory outside
    /// every writable directory is bound read-only, so the command can still start there.
    static func arguments(
        command: String, workingDirectory: URL, writable: [URL], readOnly: [URL] = [], network: Bool
    ) -> [String] {
        let writablePaths = writable.map { $0.standardizedFileURL.path }
        let workingPath = workingDirectory.standardizedFileURL.path
        var arguments = isolation(network: network)
        for url in readOnly {
            let path = url.standardizedFileURL.path
            arguments += ["--ro-bind", path, path]
        }
        if !writablePaths.contains(where: { workingPath == $0 || workingPath.hasPrefix($0 + "/") }) {
            arguments += ["--ro-bind", workingPath, workingPath]
        }
        for path in writablePaths {
            arguments += ["--bind", path, path]
        }
        return arguments + ["--chdir", workingPath, "--", "/bin/sh", "-c", command]
    }
}
