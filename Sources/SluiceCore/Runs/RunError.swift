import CodedErrors

/// Why a run could not be carried out (as opposed to a step or the gate failing): the message is
/// the run's recorded reason and says what to fix.
public typealias RunError = CodedError<Run, NoDetail>

extension ErrorCode<Run> {
    /// The commit has no `.sluice.yml`, or it has problems.
    public static var spec: Self { Self("spec") }
    /// The spec asks what the server's policy for the project does not allow (another
    /// project's model, an environment's protection).
    public static var policy: Self { Self("policy") }
    /// The revision, the repository or the export failed.
    public static var workspace: Self { Self("workspace") }
    /// A data input could not be downloaded, or did not match its pinned digest.
    public static var data: Self { Self("data") }
    /// The metrics file is missing or not a JSON object of finite numbers.
    public static var metrics: Self { Self("metrics") }
    /// The artifact is missing or escapes `SLUICE_OUTPUT`.
    public static var artifact: Self { Self("artifact") }
    /// The spec's Python environment could not be found or built.
    public static var environment: Self { Self("environment") }
    /// An untrusted run needs a sandbox that this host cannot provide.
    public static var sandbox: Self { Self("sandbox") }
    /// The store failed; retry later.
    public static var store: Self { Self("store") }
}
