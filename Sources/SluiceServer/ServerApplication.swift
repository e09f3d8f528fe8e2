import Hummingbird
import Logging
import SluiceCore

/// Assembles Sluice's HTTP server: webhooks, API, artifacts, web UI, health and metrics, on the
/// configured address, each route under the ``Access`` it needs.
enum ServerApplication {
    /// The application of `service`. `onListening` receives the bound address (host:port).
    static func make(
        _ service: SluiceService, logger: Logger, onListening: @escaping @Sendable (String) async -> Void
    ) -> some ApplicationProtocol {
        let listen = service.config.listen
        return Application(
            router: router(service, logger: logger),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "sluice"),
            services: [service.ui.sessionStore],
            onServerRunning: { channel in
                let host = channel.localAddress?.ipAddress ?? listen.host
                let port = channel.localAddress?.port ?? listen.port
                await onListening(host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
            },
            logger: logger)
    }

    /// Every route of the server. Each goes in through ``AccessControl/routes(_:on:)`` with the
    /// access it needs, and `Router.routes` lists them all, so a test can knock on every one.
    static func router(_ service: SluiceService, logger: Logger) -> Router<SluiceRequestContext> {
        let (config, store, clock, ui) = (service.config, service.store, service.clock, service.ui)
        let metrics = ServerMetrics(clock: clock)
        let router = Router(context: SluiceRequestContext.self)
        router.add(middleware: LatencyMiddleware(metrics: metrics))
        router.add(middleware: ui.sessions)
        router.add(middleware: CallerAuthenticator(auth: config.auth, metrics: config.metrics))
        // Open to all, like the sign-in page: the styles and scripts every page loads.
        router.add(middleware: ui.staticFiles)
        let access = AccessControl(auth: config.auth, metrics: config.metrics)
        let open = access.routes(.open, on: router)
        let viewers = access.routes(.api(.viewer), on: router)
        let engineers = access.routes(.api(.engineer), on: router)
        let releaseManagers = access.routes(.api(.releaseManager), on: router)

        HealthRoutes.add(to: open, store: store)
        HookRoutes(config: config, store: store, metrics: metrics, clock: clock, logger: logger).add(to: open)
        MetricsRoutes.add(to: access.routes(.metrics, on: router), metrics: metrics, store: store)
        ArtifactRoutes(artifacts: service.artifacts, logger: logger).add(to: access.routes(.artifacts, on: router))
        DeliveryRoutes.add(to: viewers, store: store)
        AuditRoutes.add(to: viewers, store: store)
        ModelRoutes.add(to: viewers, store: store)
        RunRoutes.add(reads: viewers, actions: engineers, store: store, config: config)
        PromotionRoutes(store: store, promoter: service.promoter).add(reads: viewers, decisions: releaseManagers)
        ui.add(
            open: open, pages: access.routes(.page(.viewer), on: router),
            decisions: access.routes(.page(.releaseManager), on: router))
        return router
    }
}
