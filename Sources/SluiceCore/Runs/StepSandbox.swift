import Foundation

/// How a step is isolated from the host.
///
/// Untrusted code (a fork's pull request, after a maintainer's `/sluice run`) runs with `.bubblewrap`: read-only
/// host, no network, private `/tmp`, and only the listed directories writable. A requested sandbox that cannot be
/// set up is an error (`StepError.Code.sandboxUnavailable`), never a reason to run without one.
public enum StepSandbox: Sendable, Hashable {
    /// The step runs directly on the host, as Sluice's user.
    case none
    /// The step runs under bubblewrap; `writable` are the only directories it can change (normally the run directory).
    case bubblewrap(writable: [URL])
}
