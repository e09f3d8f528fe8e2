/// Who may scrape `/metrics` when `auth` is configured: the holder of its own token, an address
/// on the allow-list, or anyone with an API token (viewers read).
///
/// A Prometheus scrape config can send a bearer token (`authorization.credentials_file`), and
/// a scraper inside the cluster network is often easier to name by address, so both are offered.
public struct MetricsConfig: Sendable {
    /// From `metrics.token_env`.
    public var token: Secret?
    /// From `metrics.allow`: addresses and CIDR ranges (`10.0.0.0/8`, `::1`).
    public var allow: [AddressRange]

    public init(token: Secret? = nil, allow: [AddressRange] = []) {
        self.token = token
        self.allow = allow
    }
}
