import Foundation

/// How a step is isolated from the host.
///
/// Untrusted code (a fork's pull request, after a maintainer's `/sluice run`) always runs with `.bubblewrap` and
/// without network; trusted code does when the host has bubblewrap (`executor.sandbox`). A requested sandbox that
/// cannot be set up is an error (`StepError.Code.sandboxUnavailable`), never a reason to run without one.
enum StepSandbox: Sendable, Hashable {
    /// The step runs directly on the host, as Sluice's user.
    case none
    /// The step runs under bubblewrap (see ``Bubblewrap``): `writable` are the only folders it can change,
    /// `readOnly` the only other files or folders it sees beyond the system's, and `network` whether it may use
    /// the host's network.
    case bubblewrap(writable: [URL], readOnly: [URL] = [], network: Bool = false)
}
