/// A firing Alertmanager alert labelled with a model: the model in production is degrading.
public struct Alert: Sendable, Hashable, Codable {
    /// The project that owns the model.
    public var project: String
    /// The `sluice_model` label.
    public var model: String
    /// The `sluice_environment` label, when present.
    public var environment: String?
    /// The `alertname` label.
    public var name: String
    var fingerprint: String?
    var startsAt: String

    public init(project: String, model: String, environment: String?, name: String, fingerprint: String?, startsAt: String) {
        self.project = project
        self.model = model
        self.environment = environment
        self.name = name
        self.fingerprint = fingerprint
        self.startsAt = startsAt
    }
}
