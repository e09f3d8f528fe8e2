import Logging
import ServiceLifecycle

/// Moves promotions along while the server runs: carries out `/sluice approve ENV` and
/// `/sluice reject ENV` comments as their deliveries arrive (answering each on its pull request
/// with what was done or why not), and writes the promotions left
/// approved (by a crash, or an outage of the deploy repository) on start and every
/// `writeRetryInterval` after, so such an outage heals by itself.
///
/// Comments are read from the store's trigger queue, where ingress put them before answering
/// the forge, so one that arrived while the server was down is decided when it starts. Each is
/// claimed for `decisionLease`: every replica looks, one decides, and a comment whose server
/// stopped before it finished is decided by the next look after its lease ran out.
public struct PromotionService: Service {
    private let store: Store
    private let promoter: Promoter
    private let reporter: RunReporter
    private let decisionInterval: Duration
    private let writeRetryInterval: Duration
    private let clock: any WallClock
    private let logger: Logger

    public init(
        store: Store, promoter: Promoter, reporter: RunReporter, clock: any WallClock, logger: Logger,
        decisionInterval: Duration = .seconds(1), writeRetryInterval: Duration = .seconds(60)
    ) {
        self.store = store
        self.promoter = promoter
        self.reporter = reporter
        self.clock = clock
        self.logger = logger
        self.decisionInterval = decisionInterval
        self.writeRetryInterval = writeRetryInterval
    }

    /// Long enough for a decision and the deploy write it makes, retries and all.
    static let decisionLease: Duration = .seconds(120)

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var reportedWaiting = Set<Promotion.ID>()
            var nextWrite = clock.now
            while !Task.isCancelled {
                await decideComments()
                if clock.now >= nextWrite {
                    await writeApproved(reportedWaiting: &reportedWaiting)
                    nextWrite = clock.now.addingTimeInterval(writeRetryInterval / .seconds(1))
                }
                await clock.pause(for: decisionInterval)
            }
        }
    }

    /// Decides every queued comment; a refusal (not an approver, nothing waiting) ends its
    /// trigger with why, in the audit log too.
    private func decideComments() async {
        let decisions: [ClaimedDecision]
        do {
            decisions = try await store.claimPromotionDecisions(
                leaseExpiry: clock.now.addingTimeInterval(Self.decisionLease / .seconds(1)))
        } catch {
            logger.error("could not read the comment commands: \(error)")
            return
        }
        for decision in decisions {
            let command = decision.command
            var refusal: String?
            do {
                let promotion = try await promoter.decide(command)
                log(promotion)
                await reporter.answer(command, .decided(promotion))
            } catch {
                refusal = error.message
                logger.notice(
                    "refused /sluice \(command.verb.rawValue) from \(command.commenter)",
                    metadata: ["project": "\(command.project)", "number": "\(command.number)", "reason": "\(error.message)"])
                await reporter.answer(command, .refused(error.message))
            }
            do {
                try await store.finishDecision(decision, refusal: refusal)
            } catch {
                logger.error("could not record the outcome of trigger \(decision.trigger): \(error)")
            }
        }
    }

    /// Applies every approved promotion; one that still waits is logged once, not every time.
    private func writeApproved(reportedWaiting: inout Set<Promotion.ID>) async {
        do {
            for promotion in try await promoter.applyApproved()
            where promotion.state != .approved || reportedWaiting.insert(promotion.id).inserted {
                log(promotion)
            }
        } catch {
            logger.error("could not write the approved promotions: \(error)")
        }
    }

    private func log(_ promotion: Promotion) {
        logger.log(
            level: promotion.state == .approved ? .warning : promotion.state == .failed ? .error : .info,
            "\(promotion.id) \(promotion.state.rawValue)",
            metadata: [
                "model": "\(promotion.model) \(promotion.version)", "environment": "\(promotion.environment)",
                "deploy_commit": "\(promotion.deployCommit ?? "")", "reason": "\(promotion.reason ?? "")",
            ])
    }
}
