import Foundation
import SluiceCore

/// One metric of a model across its versions, drawn on the server as an SVG line chart with the
/// gate's limits: the model page's picture of "did it get better, and how close was the gate".
///
/// Each version is one point (a `circle` with `data-version`, its value in a `title` tooltip);
/// each bound of the gate is a dashed line through the threshold that version had to meet, so a
/// `min` is flat while a `max_drop` follows the baseline each version was compared with. The
/// SVG is plain markup with no script or inline style (the UI's CSP allows neither), and every
/// text in it is escaped: metric names come from the candidate's metrics file.
struct MetricChart {
    /// The most versions one chart shows: the newest ones.
    static let maximumPoints = 200

    struct Point {
        let version: ModelVersion.Number
        let value: Double
        /// The environments that hold this version now.
        let heldBy: [String]
        /// The thresholds this version's gate applied, by ``Limit/label``.
        let thresholds: [String: Double]
    }

    /// One bound of the gate, named as the gate table names it (`min 0.97`, `min 0.9 (server floor)`).
    struct Limit: Hashable {
        let label: String
        /// A change bound, whose threshold follows each version's baseline.
        let followsBaseline: Bool
    }

    let metric: String
    let points: [Point]
    let limits: [Limit]
    /// How many versions report the metric, of which the chart shows the newest ``maximumPoints``.
    let versionCount: Int

    /// A chart per metric any of `versions` (oldest first) reports: the metrics the gate checks
    /// first, in the newest version's rule order, then the rest by name.
    static func charts(of versions: [ModelVersion], heldBy: [ModelVersion.Number: [String]]) -> [MetricChart] {
        let newestRules = versions.last?.run.conclusion.gateReport?.checks.map(\.metric) ?? []
        var gated: [String] = []
        for metric in newestRules where !gated.contains(metric) { gated.append(metric) }
        let reported = Set(versions.flatMap { $0.run.conclusion.metrics?.values.keys.map { $0 } ?? [] })
        let order = gated.filter(reported.contains) + reported.subtracting(gated).sorted()
        return order.map { metric in chart(of: metric, versions: versions, heldBy: heldBy) }
    }

    private static func chart(
        of metric: String, versions: [ModelVersion], heldBy: [ModelVersion.Number: [String]]
    ) -> MetricChart {
        var limits: [Limit] = []
        let points = versions.compactMap { version -> Point? in
            guard let value = version.run.conclusion.metrics?.values[metric], value.isFinite else { return nil }
            var thresholds: [String: Double] = [:]
            for check in version.run.conclusion.gateReport?.checks ?? [] where check.metric == metric {
                let limit = Limit(label: check.ruleText, followsBaseline: check.bound.isChange)
                if !limits.contains(limit) { limits.append(limit) }
                if let threshold = check.threshold, threshold.isFinite { thresholds[limit.label] = threshold }
            }
            return Point(version: version.number, value: value, heldBy: heldBy[version.number] ?? [], thresholds: thresholds)
        }
        let shown = Array(points.suffix(maximumPoints))
        let used = limits.filter { limit in shown.contains { $0.thresholds[limit.label] != nil } }
        return MetricChart(metric: metric, points: shown, limits: used, versionCount: points.count)
    }

    // MARK: - Drawing

    private static let width = 820.0
    private static let height = 240.0
    private static let left = 64.0
    private static let right = 560.0
    private static let top = 18.0
    private static let bottom = 200.0

    /// The chart as an `<svg>` element, ready to place in a page as it is.
    var svg: String {
        let (low, high) = range
        let x = { (index: Int) -> Double in
            points.count == 1
                ? (Self.left + Self.right) / 2
                : Self.left + Double(index) * (Self.right - Self.left) / Double(points.count - 1)
        }
        let y = { (value: Double) -> Double in Self.bottom - (value - low) / (high - low) * (Self.bottom - Self.top) }
        var svg = """
            <svg class="chart" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" role="img" \
            aria-label="\(metric.markupEscaped) across \(points.count) versions">
            <title>\(metric.markupEscaped) across versions</title>

            """
        for fraction in [0.0, 0.5, 1.0] {
            let value = low + fraction * (high - low)
            svg += """
                <line class="grid" x1="\(Self.left)" x2="\(Self.right)" y1="\(Self.f(y(value)))" y2="\(Self.f(y(value)))"/>\
                <text class="tick" x="\(Self.left - 6)" y="\(Self.f(y(value) + 4))" text-anchor="end">\(UIContext.number(value))</text>

                """
        }
        var labelHeights: [Double] = []
        for (index, limit) in limits.enumerated() {
            var segment: [(Double, Double)] = []
            var last: Double?
            for (position, point) in points.enumerated() {
                if let threshold = point.thresholds[limit.label] {
                    segment.append((x(position), y(threshold)))
                    last = y(threshold)
                } else {
                    svg += Self.limitLine(segment, index: index)
                    segment = []
                }
            }
            svg += Self.limitLine(segment, index: index)
            guard var labelY = last else { continue }
            while labelHeights.contains(where: { abs($0 - labelY) < 13 }) { labelY += 13 }
            labelHeights.append(labelY)
            let text = limit.label + (limit.followsBaseline ? " from each baseline" : "")
            svg += """
                <text class="limit-label limit-\(index % 4)" x="\(Self.right + 12)" y="\(Self.f(labelY + 4))">\(text.markupEscaped)</text>

                """
        }
        let line = points.indices.map { "\(Self.f(x($0))),\(Self.f(y(points[$0].value)))" }.joined(separator: " ")
        svg += "<polyline class=\"series\" points=\"\(line)\"/>\n"
        let step = max(1, Int((Double(points.count) / 12).rounded(.up)))
        for (index, point) in points.enumerated() {
            let held = point.heldBy.isEmpty ? "" : " (\(point.heldBy.joined(separator: ", ")))"
            let gate = limits.compactMap { limit in
                point.thresholds[limit.label].map { "\(limit.label): \(UIContext.number($0))" }
            }
            let tip = "\(point.version) = \(UIContext.number(point.value))\(held)"
                + (gate.isEmpty ? "" : "; gate " + gate.joined(separator: ", "))
            svg += """
                <circle class="point\(point.heldBy.isEmpty ? "" : " held")" data-version="\(point.version.rawValue)" \
                cx="\(Self.f(x(index)))" cy="\(Self.f(y(point.value)))" r="\(point.heldBy.isEmpty ? 4 : 6)">\
                <title>\(tip.markupEscaped)</title></circle>

                """
            if index % step == 0 || index == points.count - 1 {
                svg += """
                    <text class="tick" x="\(Self.f(x(index)))" y="\(Self.f(Self.bottom + 18))" text-anchor="middle">\(point.version)</text>

                    """
            }
        }
        return svg + "</svg>"
    }

    /// The lowest and highest value drawn, with a margin, never an empty span.
    private var range: (Double, Double) {
        let values = points.map(\.value) + points.flatMap { $0.thresholds.values }
        let low = values.min() ?? 0
        let high = values.max() ?? 1
        let margin = high - low > 1e-12 * max(1, abs(high)) ? (high - low) * 0.1 : max(abs(high) * 0.05, 0.01)
        return (low - margin, high + margin)
    }

    /// A dashed line through one run of consecutive thresholds; a lone one becomes a short dash.
    private static func limitLine(_ segment: [(Double, Double)], index: Int) -> String {
        guard let first = segment.first else { return "" }
        let points = segment.count == 1 ? [(first.0 - 10, first.1), (first.0 + 10, first.1)] : segment
        return "<polyline class=\"limit limit-\(index % 4)\" points=\"\(points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\"/>\n"
    }

    /// A coordinate with one decimal.
    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
