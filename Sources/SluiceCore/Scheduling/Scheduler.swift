import Curl
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Starts runs from the trigger queue: claims queued triggers under a lease it renews while
/// they run, at most `executor.max_parallel` at once, and lets a newer trigger of a lane (a
/// branch of a project, a pull request) supersede the older ones: dropped while queued,
/// cancelled (whole process group) while running.
///
/// A trigger whose server died mid-run has a lease that runs out: it is queued again once,
/// then failed with why. Leases are renewed on a loop of their own, so a slow look at the
/// queue never delays them; a claim whose lease ran out all the same (a stalled process, a
/// database out of reach) is stopped, and its writes are refused (see ``TriggerClaim``), since
/// another replica may take it over. On graceful shutdown the scheduler stops claiming, lets running
/// triggers go on for `executor.shutdown_grace`, then cancels them and leaves them queued for
/// the next start.
public actor Scheduler: Service {
    /// How often the queue is looked at, and how often a trigger may be claimed.
    public struct Timing: Sendable {
        public var tick: Duration
        /// A trigger claimed this many times without finishing fails instead of running again.
        public var maxAttempts: Int

        public init(tick: Duration = .milliseconds(250), maxAttempts: Int = 2) {
            self.tick = tick
            self.maxAttempts = maxAttempts
        }
    }

    /// A claimed trigger being carried out.
    private struct Execution {
        let claim: TriggerClaim
        let lane: String?
        let stop: RunStop
        let task: Task<Void, Never>
        /// Until when the claim holds, as last claimed or renewed.
        var leaseExpiry: Date
        /// Its end is being recorded: the claim ends with that write, not lost.
        var finishing = false
    }

    private let store: Store
    private let executor: TriggerExecutor
    private let maxParallel: Int
    private let shutdownGrace: Duration
    /// `executor.lease`: how long a claim lasts without renewal.
    private let lease: Duration
    private let timing: Timing
    private let clock: any WallClock
    private let logger: Logger
    private var executions: [Int64: Execution] = [:]
    private nonisolated let shuttingDown = Atomic(false)

    /// A scheduler for `config`'s projects: it runs the gate through `gateRunner` in `workspace`'s
    /// mirrors, registers through `registrar`, promotes through `promoter`, and reports to each
    /// project's forge through `reporter`.
    public init(
        config: ServerConfig, store: Store, workspace: Workspace, gateRunner: GateRunner, registrar: Registrar,
        promoter: Promoter, reporter: RunReporter, clock: any WallClock, logger: Logger, timing: Timing = Timing()
    ) {
        self.store = store
        executor = TriggerExecutor(
            config: config, store: store, workspace: workspace, gateRunner: gateRunner, registrar: registrar,
            promoter: promoter, reporter: reporter, logger: logger)
        maxParallel = config.executor.maxParallel
        shutdownGrace = config.executor.shutdownGrace
        lease = config.executor.lease
        self.timing = timing
        self.clock = clock
        self.logger = logger
    }


    public func run() async throws {
        let renewals = Task { await self.renewLeasesUntilCancelled() }
        await withGracefulShutdownHandler {
            await self.schedule()
        } onGracefulShutdown: {
            self.shuttingDown.store(true, ordering: .relaxed)
        }
        await drain()
        renewals.cancel()
    }

    /// Claims and starts triggers until shutdown.
    private func schedule() async {
        // In the past, so the first look also takes back what a dead server left.
        var lastRecovery = clock.now.addingTimeInterval(-(lease / .seconds(1)))
        while !shuttingDown.load(ordering: .relaxed), !Task.isCancelled {
            if clock.now.timeIntervalSince(lastRecovery) >= lease / .seconds(3) {
                await recoverAbandoned()
                lastRecovery = clock.now
            }
            await tick()
            await clock.pause(for: timing.tick)
        }
    }

    /// Renews the running triggers' leases three times a lease, through shutdown's grace period
    /// too, so that no other replica (or the next start) takes them for abandoned.
    private func renewLeasesUntilCancelled() async {
        while !Task.isCancelled {
            await clock.pause(for: lease / 3)
            await renewLeases()
        }
    }

    /// Takes back the triggers whose claimer's lease ran out; a lease lasts three renewals, so
    /// looking as often as renewing is soon enough.
    private func recoverAbandoned() async {
        do {
            for abandoned in try await store.recoverAbandonedTriggers(maxAttempts: timing.maxAttempts) {
                logger.warning(
                    "trigger \(abandoned.id) was abandoned by a server that stopped; \(abandoned.requeued ? "queued again" : "failed")",
                    metadata: ["runs": "\(abandoned.interruptedRuns.map(\.rawValue))"])
            }
        } catch {
            logger.error("could not look for abandoned triggers: \(error)")
        }
    }

    /// One look at the queue: stop running triggers someone cancelled, drop superseded ones,
    /// stop running ones a newer trigger replaces, and start as many as there are free slots.
    private func tick() async {
        do {
            for (id, login) in try await store.cancelRequests(among: Array(executions.keys)) {
                executions[id]?.stop.request(.cancelled("cancelled by \(login)"))
            }
            _ = try await store.supersedeQueuedTriggers()
            let queued = try await store.runnableTriggers(limit: 200)
            for trigger in queued {
                guard let lane = trigger.lane else { continue }
                for (id, execution) in executions where execution.lane == lane && id < trigger.id {
                    execution.stop.request(.superseded("superseded by trigger \(trigger.id)"))
                }
            }
            var busyLanes = Set(executions.values.compactMap(\.lane))
            var chosen: [QueuedTrigger] = []
            for trigger in queued where executions.count + chosen.count < maxParallel {
                if let lane = trigger.lane {
                    guard busyLanes.insert(lane).inserted else { continue }
                }
                chosen.append(trigger)
            }
            let expiry = leaseExpiry()
            let claims = try await store.claimTriggers(chosen.map(\.id), leaseExpiry: expiry)
            let chosenByID = Dictionary(uniqueKeysWithValues: chosen.map { ($0.id, $0) })
            for claim in claims {
                guard let trigger = chosenByID[claim.trigger] else { continue }
                start(claim, of: trigger, leaseExpiry: expiry)
            }
        } catch {
            logger.error("could not read the trigger queue: \(error)")
        }
    }

    private func start(_ claim: TriggerClaim, of trigger: QueuedTrigger, leaseExpiry: Date) {
        let stop = RunStop()
        let executor = executor
        let task = Task {
            let ending = await executor.execute(trigger, claim: claim, stop: stop)
            self.finishing(trigger.id)
            await executor.record(ending, of: trigger, claim: claim, stop: stop)
            self.finished(trigger.id)
        }
        executions[trigger.id] = Execution(claim: claim, lane: trigger.lane, stop: stop, task: task, leaseExpiry: leaseExpiry)
    }

    private func finishing(_ id: Int64) {
        executions[id]?.finishing = true
    }

    private func finished(_ id: Int64) {
        executions[id] = nil
    }

    /// Extends every running claim's lease, and stops the runs whose claim no longer holds: the
    /// store refused to renew it, or it could not be renewed before it ran out.
    private func renewLeases() async {
        let claims = executions.values.filter { !$0.finishing }.map(\.claim)
        guard !claims.isEmpty else { return }
        let expiry = leaseExpiry()
        var lost: Set<TriggerClaim>
        do {
            lost = Set(try await store.renewLeases(claims, until: expiry))
            for claim in claims where !lost.contains(claim) {
                executions[claim.trigger]?.leaseExpiry = expiry
            }
        } catch {
            logger.error("could not renew the leases of running triggers: \(error)")
            lost = Set(claims.filter { executions[$0.trigger].map { $0.leaseExpiry < clock.now } == true })
        }
        for claim in lost {
            guard let execution = executions[claim.trigger], execution.claim == claim, !execution.finishing else { continue }
            let why = LostClaim(claim: claim).description
            logger.warning("\(why); stopping its run")
            execution.stop.request(.claimLost(why))
        }
    }

    private func leaseExpiry() -> Date {
        clock.now.addingTimeInterval(lease / .seconds(1))
    }

    /// Shutdown: running triggers may finish within the grace period; then they are cancelled
    /// and left queued. Their leases are still renewed meanwhile, so no restart takes them for
    /// abandoned.
    private func drain() async {
        guard !executions.isEmpty else { return }
        logger.notice("waiting up to \(shutdownGrace) for \(executions.count) running trigger(s) to finish")
        let deadline = clock.now.addingTimeInterval(shutdownGrace / .seconds(1))
        while !executions.isEmpty, clock.now < deadline {
            await clock.pause(for: .milliseconds(100))
        }
        for execution in executions.values {
            execution.stop.request(.shutdown)
        }
        for execution in executions.values {
            await execution.task.value
        }
    }
}
