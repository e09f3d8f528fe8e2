import Hummingbird
import Logging
import SluiceCore

/// Assembles Sluice's HTTP server: webhooks, API, artifacts, web UI, health and metrics, on the
/// configured address, each route under the ``Access`` it needs.
public enum ServerApplication {
    /// The application for `config`, writing to the promoter's store, with the web UI when one
    /// is given. `onListening` receives the bound address (host:port), which differs from the
    /// configured one when the port is 0.
    public static func make(
        config: ServerConfig, promoter: Promoter, ui: WebUI? = nil, clock: any WallClock, logger: Logger,
        onListening: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(config: config, promoter: promoter, ui: ui, clock: clock, logger: logger),
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "sluice"),
            onServerRunning: { channel in
                let host = channel.localAddress?.ipAddress ?? config.listen.host
                let port = channel.localAddress?.port ?? config.listen.port
                await onListening(host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
            },
            logger: logger)
    }

    /// Every route of the server. Each goes in through ``AccessControl/routes(_:on:)`` with the
    /// access it needs, and `Router.routes` lists them all, so a test can knock on every one.
    public static func router(
        config: ServerConfig, promoter: Promoter, ui: WebUI?, clock: any WallClock, logger: Logger
    ) -> Router<SluiceRequestContext> {
        let store = promoter.store
        let metrics = ServerMetrics(clock: clock)
        let router = Router(context: SluiceRequestContext.self)
        router.add(middleware: LatencyMiddleware(metrics: metrics))
        router.add(middleware: CallerAuthenticator(auth: config.auth, metrics: config.metrics, sessions: ui?.sessions ?? UISessions(clock: clock)))
        let access = AccessControl(auth: config.auth, metrics: config.metrics)
        let open = access.routes(.open, on: router)
        let viewers = access.routes(.api(.viewer), on: router)
        let engineers = access.routes(.api(.engineer), on: router)
        let releaseManagers = access.routes(.api(.releaseManager), on: router)

        HealthRoutes.add(to: open, store: store)
        HookRoutes(config: config, store: store, metrics: metrics, clock: clock, logger: logger).add(to: open)
        MetricsRoutes.add(to: access.routes(.metrics, on: router), metrics: metrics, store: store)
        ArtifactRoutes(artifacts: ArtifactStore(stateDirectory: config.stateDirectory), logger: logger)
            .add(to: access.routes(.artifacts, on: router))
        DeliveryRoutes.add(to: viewers, store: store)
        AuditRoutes.add(to: viewers, store: store)
        ModelRoutes.add(to: viewers, store: store)
        RunRoutes.add(reads: viewers, actions: engineers, store: store, config: config)
        PromotionRoutes(promoter: promoter).add(reads: viewers, decisions: releaseManagers)
        ui?.add(
            open: open, pages: access.routes(.page(.viewer), on: router),
            decisions: access.routes(.page(.releaseManager), on: router))
        return router
    }
}
