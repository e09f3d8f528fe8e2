import Crypto
import Foundation

/// Turns an Alertmanager webhook (`version: "4"`) into `Alert` triggers: one per firing alert
/// labelled `sluice_model` whose model a project owns.
///
/// Alertmanager re-sends a group every `repeat_interval` and HA replicas may send it twice, so the
/// delivery key is nil and each trigger is keyed by what stays the same across re-sends:
/// `alert:<groupKey>:<fingerprint>:<startsAt>`. Older senders omit `fingerprint`; a hash of the
/// sorted labels stands in for it, which is what Alertmanager's fingerprint is derived from too.
/// The delivery's `project` is nil: one group can name models of several projects, and each
/// trigger names its own. Call it only after the bearer (or basic) credential was verified.
public enum AlertmanagerHook {
    private struct Body: Decodable {
        struct Alert: Decodable {
            var status: String
            var labels: [String: String]
            var startsAt: String
            var fingerprint: String?
        }
        var groupKey: String
        var alerts: [Alert]
    }

    /// Reads one group notification; `projectOwningModel` maps a `sluice_model` label to the
    /// registered project that owns the model, or nil.
    ///
    /// Resolved alerts are not triggers: the model recovered, nothing to retrain. When no alert
    /// qualifies the delivery is ignored with the reason (no alerts, all resolved, no
    /// `sluice_model` label, or the unowned models by name).
    public static func parse(body: Data, projectOwningModel: (String) -> String?) throws(HookError)
        -> IncomingDelivery
    {
        let payload = try HookJSON.decode(Body.self, from: body)
        var triggers: [KeyedTrigger] = []
        var keys: Set<String> = []
        var firing = 0
        var unowned: [String] = []
        for alert in payload.alerts where alert.status == "firing" {
            firing += 1
            guard let model = alert.labels["sluice_model"] else { continue }
            guard let project = projectOwningModel(model) else {
                if !unowned.contains(model) { unowned.append(model) }
                continue
            }
            let fingerprint = alert.fingerprint.flatMap { $0.isEmpty ? nil : $0 } ?? labelHash(alert.labels)
            let trigger = Alert(
                project: project, model: model, environment: alert.labels["sluice_environment"],
                name: alert.labels["alertname"] ?? "unnamed", fingerprint: alert.fingerprint,
                startsAt: alert.startsAt)
            let key = "alert:\(payload.groupKey):\(fingerprint):\(alert.startsAt)"
            if keys.insert(key).inserted {
                triggers.append(KeyedTrigger(.alert(trigger), dedupeKey: key))
            }
        }
        let verdict: IncomingDelivery.Verdict
        if !triggers.isEmpty {
            verdict = .accepted(triggers)
        } else if payload.alerts.isEmpty {
            verdict = .ignored(reason: "no alerts")
        } else if firing == 0 {
            verdict = .ignored(reason: "no firing alert: all \(payload.alerts.count) resolved")
        } else if unowned.isEmpty {
            verdict = .ignored(reason: "no firing alert has a sluice_model label")
        } else {
            let models = unowned.joined(separator: ", ")
            verdict = .ignored(reason: "model \(models) owned by no project")
        }
        return IncomingDelivery(source: "alertmanager", project: nil, event: "alert", deliveryKey: nil, verdict: verdict)
    }

    /// A stable stand-in for a missing fingerprint: SHA-256 over the labels sorted by name, each
    /// part length-prefixed so no label value can imitate another label set.
    private static func labelHash(_ labels: [String: String]) -> String {
        var text = ""
        for (name, value) in labels.sorted(by: { $0.key < $1.key }) {
            text += "\(name.utf8.count):\(name)\(value.utf8.count):\(value)"
        }
        return Hex.encode(SHA256.hash(data: Data(text.utf8)).prefix(8))
    }
}
