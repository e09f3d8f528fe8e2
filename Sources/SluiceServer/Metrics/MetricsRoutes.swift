import Hummingbird
import SluiceCore

/// `GET /metrics`: Prometheus text exposition, for the metrics token, an allowed address or any
/// API token once `auth` or `metrics` is configured. The store's counts are read at each scrape; when
/// the store cannot be read, the other metrics are still served with the last counts.
enum MetricsRoutes {
    static func add(to router: RouterGroup<SluiceRequestContext>, metrics: ServerMetrics, store: Store) {
        router.get("metrics") { _, _ in
            if let statistics = try? await store.statistics() { metrics.record(statistics) }
            if let steps = try? await store.stepsEnded(after: metrics.stepsRecordedUntil) { metrics.record(steps) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: metrics.exposition()))
        }
    }
}
