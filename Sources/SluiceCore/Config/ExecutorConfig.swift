/// How and how many runs execute at once.
///
/// `maxParallel` bounds the scheduler's claims (1...64), so a burst of pushes queues instead of
/// overloading the host.
public struct ExecutorConfig: Sendable, Hashable {
    static let maxParallelRange = 1...64
    /// Shorter leases are renewed too often to be worth it; longer ones leave a dead server's
    /// runs waiting for more than an hour.
    static let leaseRange = Duration.seconds(3)...Duration.seconds(3600)

    public var kind: ExecutorKind
    var maxParallel: Int
    public var sandbox: SandboxMode
    /// How long `sluice serve` lets running steps go on after SIGTERM before it cancels them
    /// (their triggers stay queued for the next start).
    var shutdownGrace: Duration
    /// How long a claimed trigger stays with its server without a renewal (renewed every third
    /// of it while the run goes on): a server that dies mid-run has its trigger taken back, by
    /// itself on restart or by another replica, this long after its last renewal.
    public var lease: Duration

    public init(
        kind: ExecutorKind = .local, maxParallel: Int = 2, sandbox: SandboxMode = .auto,
        shutdownGrace: Duration = .seconds(30), lease: Duration = .seconds(15)
    ) {
        self.kind = kind
        self.maxParallel = maxParallel
        self.sandbox = sandbox
        self.shutdownGrace = shutdownGrace
        self.lease = lease
    }
}
