import Hummingbird
import Prometheus

/// The Prometheus metrics the server exposes at `GET /metrics`.
///
/// Kept in one registry owned by the application rather than swift-metrics' global system, so
/// two servers in one process (tests) never share counts.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    private static var deliveries: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "sluice", metricName: "deliveries", unitName: "total",
            helpText: "Webhook deliveries received, by source and outcome")
    }

    init() {
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "sluice", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                helpText: "Time from request to response, all routes"),
            buckets: Self.latencyBuckets)
    }

    /// Counts one delivery by its source (`github`, `data:lake`, ...) and outcome.
    func countDelivery(source: String, outcome: String) {
        registry.makeCounter(descriptor: Self.deliveries, labels: [("source", source), ("outcome", outcome)]).increment()
    }

    func recordLatency(_ duration: Duration) {
        latency.record(duration)
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> ByteBuffer {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return ByteBuffer(bytes: bytes)
    }
}

/// Times every request into `sluice_http_request_duration_seconds`.
struct LatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        defer { metrics.recordLatency(ContinuousClock.now - start) }
        return try await next(request, context)
    }
}
