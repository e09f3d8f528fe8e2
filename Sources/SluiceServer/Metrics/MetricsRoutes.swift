import Hummingbird

/// `GET /metrics`: Prometheus text exposition.
enum MetricsRoutes {
    static func add<Context: RequestContext>(to router: Router<Context>, metrics: ServerMetrics) {
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: metrics.exposition()))
        }
    }
}
