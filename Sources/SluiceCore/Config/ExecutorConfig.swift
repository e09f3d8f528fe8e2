/// How and how many runs execute at once.
///
/// `maxParallel` bounds the scheduler's claims (1...64), so a burst of pushes queues instead of
/// overloading the host.
public struct ExecutorConfig: Sendable, Hashable {
    public static let maxParallelRange = 1...64

    public var kind: ExecutorKind
    public var maxParallel: Int
    public var sandbox: SandboxMode
    /// How long `sluice serve` lets running steps go on after SIGTERM before it cancels them
    /// (their triggers stay queued for the next start).
    public var shutdownGrace: Duration

    public init(
        kind: ExecutorKind = .local, maxParallel: Int = 2, sandbox: SandboxMode = .auto,
        shutdownGrace: Duration = .seconds(30)
    ) {
        self.kind = kind
        self.maxParallel = maxParallel
        self.sandbox = sandbox
        self.shutdownGrace = shutdownGrace
    }
}
