/// Accepts Prometheus Alertmanager webhooks at `/hooks/alertmanager`.
///
/// Alertmanager can only send a static bearer token, so that is the one credential here.
public struct AlertmanagerConfig: Sendable {
    public var bearerToken: Secret

    public init(bearerToken: Secret) {
        self.bearerToken = bearerToken
    }
}
