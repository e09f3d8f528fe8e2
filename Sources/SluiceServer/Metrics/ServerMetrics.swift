import Foundation
import Hummingbird
import Prometheus
import SluiceCore
import Synchronization

/// The Prometheus metrics the server exposes at `GET /metrics`.
///
/// Kept in one registry owned by the application rather than swift-metrics' global system, so
/// two servers in one process (tests) never share counts.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram
    /// The end of the last step recorded into the step histograms.
    private let lastStepEnd = Mutex(Date.distantPast)
    /// What the age of the oldest queued trigger is measured at.
    private let clock: any WallClock

    /// Steps last from seconds (tests) to hours (training).
    static let stepBuckets: [Duration] = [
        .seconds(1), .seconds(5), .seconds(15), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
        .seconds(1800), .seconds(3600), .seconds(7200),
    ]

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    private static var deliveries: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "sluice", metricName: "deliveries", unitName: "total",
            helpText: "Webhook deliveries received, by source and outcome")
    }

    init(clock: any WallClock) {
        self.clock = clock
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

    /// Sets the gauges read from the store: runs and promotions by state (every state, so a
    /// dashboard sees zeros too), the queue's depth, and how long its oldest trigger has waited.
    func record(_ statistics: StoreStatistics) {
        let now = clock.now
        for (state, count) in statistics.runs {
            registry.makeGauge(descriptor: Self.runs, labels: [("state", state.rawValue)]).set(Int64(count))
        }
        for (state, count) in statistics.promotions {
            registry.makeGauge(descriptor: Self.promotions, labels: [("state", state.rawValue)]).set(Int64(count))
        }
        for (verdict, count) in statistics.gateVerdicts {
            registry.makeGauge(descriptor: Self.gateVerdicts, labels: [("verdict", verdict)]).set(Int64(count))
        }
        registry.makeGauge(descriptor: Self.queueDepth).set(Int64(statistics.queuedTriggers))
        registry.makeGauge(descriptor: Self.queueOldestAge)
            .set(statistics.oldestQueuedAt.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }

    /// Records the durations of steps that ended since the last call, by step name; `steps` is
    /// in order of their end, and one already recorded (by a concurrent scrape) is skipped.
    func record(_ steps: [RunStep]) {
        for step in steps {
            guard let end = step.endedAt,
                lastStepEnd.withLock({ last in
                    guard end > last else { return false }
                    last = end
                    return true
                })
            else { continue }
            registry.makeDurationHistogram(descriptor: Self.stepDuration, labels: [("step", step.name)], buckets: Self.stepBuckets)
                .record(.seconds(end.timeIntervalSince(step.startedAt)))
        }
    }

    /// The end of the last step `record(_:)` took.
    var stepsRecordedUntil: Date { lastStepEnd.withLock { $0 } }

    private static var stepDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "sluice", subsystem: "step", metricName: "duration", unitName: "seconds",
            helpText: "How long run steps took, by step name")
    }

    private static var gateVerdicts: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "sluice", subsystem: "gate", metricName: "verdicts", unitName: "",
            helpText: "Runs whose gate was evaluated, by verdict (pass, fail)")
    }

    private static var runs: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sluice", metricName: "runs", unitName: "", helpText: "Runs in the store, by state")
    }

    private static var promotions: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sluice", metricName: "promotions", unitName: "", helpText: "Promotions in the store, by state")
    }

    private static var queueDepth: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "sluice", subsystem: "queue", metricName: "depth", unitName: "", helpText: "Triggers queued and not yet claimed")
    }

    private static var queueOldestAge: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "sluice", subsystem: "queue", metricName: "oldest_age", unitName: "seconds",
            helpText: "How long the oldest queued trigger has waited; 0 when none waits")
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
