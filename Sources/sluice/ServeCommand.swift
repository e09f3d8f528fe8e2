import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceServer

/// `sluice serve`: the long-running service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Sluice server: webhooks, API, health and metrics.",
        discussion: """
            Listens where the config's `listen` says (default 127.0.0.1:8080) and logs the bound \
            address. SIGINT or SIGTERM stops it gracefully: requests in flight are answered first. \
            On start, and every minute after, it writes to the deploy repository every approved \
            promotion left unwritten (a crash, an outage of the deploy repository).
            """)

    @OptionGroup var config: ConfigOption

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let (config, promoter) = try config.promoter()
        // Standard error is unbuffered, so each line is out the moment it is logged, even into a pipe.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "sluice")
        logger.logLevel = logLevel
        logger.info("store open", metadata: ["path": "\(config.stateDirectory.appendingPathComponent(Store.fileName).path)"])
        if config.deploy == nil {
            logger.notice("no 'deploy' section: models will be gated and registered, but no manifests written")
        }
        let app = ServerApplication.make(config: config, promoter: promoter, logger: logger) { [logger] address in
            logger.info("listening on http://\(address)")
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { [logger] in await Self.writeApprovedPromotions(promoter, logger: logger) }
            try await app.runService()
            group.cancelAll()
        }
    }

    /// How often approved promotions that could not be written are tried again.
    static let writeRetryInterval = Duration.seconds(60)

    /// Writes the promotions left approved, on start (a crash, an outage before it) and then every
    /// `writeRetryInterval`, so an outage of the deploy repository heals by itself. Logs what each
    /// became; one that still waits is logged once, not every minute.
    private static func writeApprovedPromotions(_ promoter: Promoter, logger: Logger) async {
        var reportedWaiting = Set<Promotion.ID>()
        while !Task.isCancelled {
            do {
                for promotion in try await promoter.applyApproved() {
                    let waiting = promotion.state == .approved
                    guard !waiting || reportedWaiting.insert(promotion.id).inserted else { continue }
                    logger.log(
                        level: waiting ? .warning : promotion.state == .failed ? .error : .info,
                        "\(promotion.id) \(promotion.state.rawValue)",
                        metadata: [
                            "model": "\(promotion.model) \(promotion.version)", "environment": "\(promotion.environment)",
                            "deploy_commit": "\(promotion.deployCommit ?? "")", "reason": "\(promotion.reason ?? "")",
                        ])
                }
            } catch {
                logger.error("could not write the approved promotions: \(error)")
            }
            try? await Task.sleep(for: writeRetryInterval)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
