/// The host and port the HTTP server binds, written `host:port` or `[v6-address]:port`.
///
/// Kept as host + port rather than a string so the server can hand both to its bootstrap without
/// parsing again; `description` gives back the written form.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public static let `default` = ListenAddress(host: "127.0.0.1", port: 8080)

    public var host: String
    /// 0...65535; 0 lets the system choose (tests).
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Why a `listen` value was refused, in words for the operator.
    struct Invalid: Error {
        let reason: String
    }

    /// Parses `host:port` or `[::1]:port`.
    static func parse(_ text: String) -> Result<ListenAddress, Invalid> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .failure(Invalid(reason: "missing ']' after the IPv6 address; expected [address]:port"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                return .failure(Invalid(reason: "expected :port after ']', as in [::1]:8080"))
            }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                return .failure(Invalid(reason: "expected host:port, as in 127.0.0.1:8080"))
            }
            host = text[..<colon]
            if host.contains(":") {
                return .failure(Invalid(reason: "an IPv6 address needs brackets, as in [::1]:8080"))
            }
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else {
            return .failure(Invalid(reason: "the host is empty; expected host:port, as in 0.0.0.0:8080"))
        }
        guard host.allSatisfy({ !$0.isWhitespace && $0 != "/" }) else {
            return .failure(Invalid(reason: "the host may not contain spaces or '/'"))
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (0...65535).contains(port) else {
            return .failure(Invalid(reason: "the port must be a number from 0 to 65535"))
        }
        return .success(ListenAddress(host: String(host), port: port))
    }
}
