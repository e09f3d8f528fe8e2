import Hummingbird
import Logging
import SluiceCore

/// Assembles Sluice's HTTP server: webhooks, API, artifacts, web UI, health and metrics, on the configured address.
public enum ServerApplication {
    /// The application for `config`, writing to the promoter's store, with the web UI when one
    /// is given. `onListening` receives the bound address (host:port), which differs from the
    /// configured one when the port is 0.
    public static func make(
        config: ServerConfig, promoter: Promoter, ui: WebUI? = nil, logger: Logger,
        onListening: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let store = promoter.store
        let metrics = ServerMetrics()
        let router = Router()
        router.add(middleware: LatencyMiddleware(metrics: metrics))
        HealthRoutes.add(to: router, store: store)
        MetricsRoutes.add(to: router, metrics: metrics, store: store)
        DeliveryRoutes.add(to: router, store: store)
        ArtifactRoutes(artifacts: ArtifactStore(stateDirectory: config.stateDirectory), auth: config.auth, logger: logger)
            .add(to: router)
        AuditRoutes.add(to: router, store: store)
        ModelRoutes.add(to: router, store: store)
        RunRoutes.add(to: router, store: store, stateDirectory: config.stateDirectory)
        PromotionRoutes(promoter: promoter, auth: config.auth).add(to: router)
        HookRoutes(config: config, store: store, metrics: metrics, logger: logger).add(to: router)
        ui?.add(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "sluice"),
            onServerRunning: { channel in
                let host = channel.localAddress?.ipAddress ?? config.listen.host
                let port = channel.localAddress?.port ?? config.listen.port
                await onListening(host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
            },
            logger: logger)
    }
}
