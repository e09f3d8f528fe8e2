import Curl
import Foundation
import Hummingbird
import Logging
import SluiceCore

/// The whole service, built from one ``ServerConfig`` and one clock: the only place that decides
/// which component gets which dependency. `sluice serve`, `sluice-bench` and the tests build it
/// here, so what they run is what production runs; no component builds another's parts or hands
/// them out.
public struct SluiceService: Sendable {
    public let config: ServerConfig
    public let clock: any WallClock
    public let store: Store
    public let artifacts: ArtifactStore
    public let workspace: Workspace
    public let ledger: PromotionLedger
    public let promoter: Promoter
    public let reporter: RunReporter
    public let scheduler: Scheduler
    public let promotionService: PromotionService
    let ui: WebUI
    private let logger: Logger

    /// Opens the store in `config.stateDirectory` (a statement waits up to `lockTimeout` for
    /// another process's lock), loads the manifest and web UI templates from `templates` (the
    /// `templates/` folder), and wires every component on `clock`.
    public static func build(
        config: ServerConfig, templates: URL, clock: any WallClock, logger: Logger, lockTimeout: Duration = .seconds(5),
        timing: Scheduler.Timing = Scheduler.Timing()
    ) async throws -> SluiceService {
        let store = try await Store.open(config.storeLocation, clock: clock, lockTimeout: lockTimeout, logger: logger)
        let workspace = Workspace(stateDirectory: config.stateDirectory)
        let ledger = PromotionLedger(store: store, clock: clock)
        let promoter = Promoter(
            config: config, store: store, ledger: ledger, workspace: workspace,
            renderer: ManifestRenderer(templatesDirectory: templates.appending(path: "manifests")),
            deployRepository: config.deploy.map { DeployRepository(config: $0, stateDirectory: config.stateDirectory, clock: clock) })
        let http = HTTPClient(userAgent: "sluice/\(SluiceVersion.current)", logger: logger)
        let artifacts = ArtifactStore(config.storeLocation, http: http)
        let reporter = RunReporter(config: config, store: store, http: http, logger: logger)
        let gateRunner = GateRunner(
            store: store, stateDirectory: config.stateDirectory,
            dataCache: DataCache(stateDirectory: config.stateDirectory, http: http, fileFolders: config.dataFolders),
            clock: clock, sandbox: config.executor.sandbox, secrets: config.secrets.map(\.revealed))
        let scheduler = Scheduler(
            config: config, store: store, workspace: workspace, gateRunner: gateRunner,
            registrar: Registrar(store: store, artifacts: artifacts, stateDirectory: config.stateDirectory),
            promoter: promoter, reporter: reporter, clock: clock, logger: logger, timing: timing)
        let ui = try await WebUI.load(
            templates: templates.appending(path: "ui"), config: config, store: store, promoter: promoter, clock: clock,
            logger: logger)
        return SluiceService(
            config: config, clock: clock, store: store, artifacts: artifacts, workspace: workspace, ledger: ledger,
            promoter: promoter, reporter: reporter, scheduler: scheduler,
            promotionService: PromotionService(store: store, promoter: promoter, reporter: reporter, clock: clock, logger: logger),
            ui: ui, logger: logger)
    }

    /// Every route of the server (see ``ServerApplication/router(_:)``).
    public var router: Router<SluiceRequestContext> { ServerApplication.router(self, logger: logger) }

    /// The HTTP server on `config.listen`; `onListening` receives the bound address (host:port),
    /// which differs from the configured one when the port is 0.
    public func application(
        onListening: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        ServerApplication.make(self, logger: logger, onListening: onListening)
    }
}
