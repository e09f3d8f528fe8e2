import Foundation

/// The PostgreSQL server that `store.url_env` names, from a `postgres://` URL as libpq reads one:
/// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=MODE&sslrootcert=FILE`.
///
/// Percent-escapes in the user and password are decoded. The port defaults to 5432, the
/// database to the user's name and `sslmode` to `prefer`, as in libpq.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    /// How the connection uses TLS, with libpq's names and meanings.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Never.
        case disable
        /// When the server offers it, without checking its certificate.
        case prefer
        /// Always, without checking the server's certificate.
        case require
        /// Always, with a certificate signed by a trusted authority, for any host name.
        case verifyCA = "verify-ca"
        /// Always, with a trusted certificate for the host name in the URL.
        case verifyFull = "verify-full"
    }

    public let host: String
    public let port: Int
    public let user: String
    public let password: Secret?
    public let database: String
    public let tls: TLSMode
    /// The authorities to trust (`sslrootcert`): a PEM file; nil for the system's.
    public let rootCertificates: String?

    /// The URL without its password, for logs and messages.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)" }

    public init(
        host: String, port: Int = 5432, user: String, password: Secret?, database: String, tls: TLSMode = .prefer,
        rootCertificates: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.rootCertificates = rootCertificates
    }

    /// Parses a URL; a failure says what is wrong without echoing the URL, which holds the password.
    static func parse(_ text: String) -> Result<PostgresLocation, Invalid> {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            return .failure(Invalid(reason: "it is not a postgres:// URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)"))
        }
        guard let host = components.host, !host.isEmpty else { return .failure(Invalid(reason: "it names no host")) }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else {
            return .failure(Invalid(reason: "it names no user (postgres://USER@HOST/DATABASE)"))
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.contains("/") else { return .failure(Invalid(reason: "its path is not one database name")) }
        var tls = TLSMode.prefer
        var rootCertificates: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    return .failure(Invalid(reason: "its sslmode is not one of \(modes)"))
                }
                tls = mode
            case "sslrootcert":
                rootCertificates = item.value
            default:
                return .failure(Invalid(reason: "it has parameter '\(item.name)'; Sluice reads only sslmode and sslrootcert"))
            }
        }
        return .success(
            PostgresLocation(
                host: host, port: components.port ?? 5432, user: user,
                password: components.password?.removingPercentEncoding.map(Secret.init), database: database.isEmpty ? user : database,
                tls: tls, rootCertificates: rootCertificates))
    }

    struct Invalid: Error {
        let reason: String
    }
}
