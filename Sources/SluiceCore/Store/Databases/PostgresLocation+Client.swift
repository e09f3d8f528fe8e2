import NIOSSL
import PostgresNIO

extension PostgresLocation {
    /// postgres-nio's configuration for this server, with TLS as libpq's `sslmode` means it.
    var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password?.revealed, database: database, tls: .disable)
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificates {
            tlsConfiguration.trustRoots = .file(rootCertificates)
        }
        switch tls {
        case .disable:
            return configuration
        case .prefer, .require:
            tlsConfiguration.certificateVerification = .none
        case .verifyCA:
            tlsConfiguration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            tlsConfiguration.certificateVerification = .fullVerification
        }
        configuration.tls = tls == .prefer ? .prefer(tlsConfiguration) : .require(tlsConfiguration)
        return configuration
    }
}
