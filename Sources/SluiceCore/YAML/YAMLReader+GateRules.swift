import Yams

extension YAMLReader {
    static let gateRuleKeys = ["metric"] + GateRule.Bound.keys + ["direction"]

    /// A list of gate rules, as a spec's `gate` and a project's server-side `gate` floor write
    /// them; every rule has at least one bound and can be met.
    mutating func gateRules(_ node: Node, path: String) -> [GateRule] {
        guard let items = list(node, path: path) else { return [] }
        return items.enumerated().compactMap { index, item in
            gateRule(item, path: "\(path)[\(index)]")
        }
    }

    private mutating func gateRule(_ node: Node, path: String) -> GateRule? {
        guard let fields = fields(node, path: path, known: Self.gateRuleKeys) else { return nil }
        let metric = required(fields, "metric", "the name of a metric the steps write to $SLUICE_METRICS, as in metric: auc").flatMap {
            string($0, path: fields.child("metric"))
        }
        var bounds: [GateRule.Bound] = []
        var values: [String: Double] = [:]
        for key in fields.names where GateRule.Bound.keys.contains(key) {
            guard let node = fields[key], let value = number(node, path: fields.child(key)),
                let bound = GateRule.Bound(key: key, limit: value)
            else { continue }
            values[key] = value
            bounds.append(bound)
        }
        if !GateRule.Bound.keys.contains(where: fields.has) {
            let rule = metric.map { "gate rule for '\($0)'" } ?? "gate rule"
            let keys = GateRule.Bound.keys.dropLast().joined(separator: ", ") + " or " + (GateRule.Bound.keys.last ?? "")
            report(.missingKey, at: fields.mark, path, "\(rule) has no bound: add \(keys)")
        }
        if let min = values["min"], let max = values["max"], min > max {
            let written = { (key: String) in fields[key]?.scalar?.string ?? "" }
            report(.conflict, at: fields.keyMark("max"), fields.child("max"), "max \(written("max")) is below min \(written("min")): no value can pass this rule")
        }
        let direction: GateRule.Direction? = fields["direction"].flatMap {
            choice($0, path: fields.child("direction"), what: "direction")
        }
        guard let metric, !bounds.isEmpty else { return nil }
        return GateRule(metric: metric, bounds: bounds, direction: direction)
    }
}
