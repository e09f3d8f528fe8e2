import ArgumentParser
import Curl
import Foundation
import Hummingbird
import Logging
import NIOCore
import SluiceCore
import ServiceLifecycle
import SluiceServer

/// `sluice serve`: the long-running service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Sluice server: webhooks, scheduler, forge reports, web UI, API, health and metrics.",
        discussion: """
            Listens where the config's `listen` says (default 127.0.0.1:8080) and logs the bound \
            address; the web UI is at its root. Queued triggers become runs (at most executor.max_parallel at once); results go \
            back to the forge as commit statuses and pull-request comments. SIGINT or SIGTERM stops \
            it gracefully: requests in flight are answered first, running steps get \
            executor.shutdown_grace (default 30s) to finish, then are cancelled and left queued for \
            the next start. It carries out /sluice approve and /sluice reject comments as they arrive, and on \
            start and every minute after it writes to the deploy repository every approved \
            promotion left unwritten (a crash, an outage of the deploy repository).
            """)

    @OptionGroup var config: ConfigOption

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log format: text, or json for one JSON object per line.")
    var logFormat: LogFormat = .text

    func run() async throws {
        sizeBlockingPoolForServing()
        let config = try self.config.load()
        let templates = try ConfigOption.templates()
        // Standard error is unbuffered, so each line is out the moment it is logged, even into a pipe.
        switch logFormat {
        case .text: LoggingSystem.bootstrap(StreamLogHandler.standardError)
        case .json: LoggingSystem.bootstrap(JSONLogHandler.init)
        }
        var logger = Logger(label: "sluice")
        logger.logLevel = logLevel
        if config.deploy == nil {
            logger.notice("no 'deploy' section: models will be gated and registered, but no manifests written")
        }
        for project in config.projects where project.environments.isEmpty {
            logger.notice(
                "project \(project.name) has no environments in the server config: its versions are registered and promoted nowhere; protect them under projects[].environments")
        }
        if config.auth == nil {
            logger.warning(
                "no 'auth' section: the API and web UI answer anyone who can reach \(config.listen) and nobody can decide a promotion but by a comment from a listed approver; set auth.tokens_env")
        }
        let service: SluiceService
        do {
            service = try await SluiceService.build(config: config, templates: templates, clock: SystemClock(), logger: logger)
        } catch let error as StoreError {
            let problem =
                if let postgres = config.postgres {
                    "\(error); check that the server in store.url_env (\(postgres)) is up and this user may connect"
                } else {
                    StateDirectoryProblem.describe(config.stateDirectory, key: "state_dir", error: error)
                }
            FileHandle.standardError.write(Data("sluice: \(problem)\n".utf8))
            throw ExitCode(2)
        }
        let storePlace = config.postgres?.description ?? config.stateDirectory.appendingPathComponent(Store.fileName).path
        logger.info("store open", metadata: ["store": "\(storePlace)"])
        let app = service.application { [logger] address in logger.info("listening on http://\(address)") }
        let services = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                // Shut down in reverse order: the HTTP server stops accepting first, then the
                // scheduler gives running steps their grace period.
                services: [
                    .init(service: service.scheduler), .init(service: service.promotionService), .init(service: app),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await services.run()
        } catch let error as IOError where [EADDRINUSE, EADDRNOTAVAIL, EACCES].contains(error.errnoCode) {
            let why =
                switch error.errnoCode {
                case EADDRINUSE: "the address is already in use (another sluice serve?); stop that program or"
                case EADDRNOTAVAIL: "no network interface of this machine has that address;"
                default: "this user may not bind that port (below 1024 needs privileges);"
                }
            FileHandle.standardError.write(Data("sluice: listen \(config.listen): \(why) set listen in \(self.config.config) to a free port\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
