import Foundation

/// A request for ``HTTPClient``: method, URL, headers, optional body and time limits.
///
/// A plain value, so it can be retried as is. Redirects are not followed unless asked for,
/// because a redirect can move a request to a host the caller did not name; when they are
/// followed, at most ``maxRedirects`` are. `description` never shows a secret header value nor
/// a password in the URL.
public struct HTTPRequest: Sendable, Hashable, CustomStringConvertible {
    /// The most redirects followed when ``followRedirects`` is on.
    static let maxRedirects = 5

    public var method: HTTPMethod
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data?
    /// A file whose bytes are the body, streamed from disk (for bodies too large to hold in
    /// memory); read again from its start on every attempt. Not together with ``body``.
    public var bodyFile: URL?
    /// Signs every attempt with libcurl's AWS SigV4.
    public var signature: AWSSignature?
    /// Limit on the whole transfer, connection included, per attempt.
    public var timeout: Duration
    /// Limit on establishing the connection (DNS, TCP and TLS), per attempt.
    var connectTimeout: Duration
    public var followRedirects: Bool

    public init(
        method: HTTPMethod = .get,
        url: String,
        headers: [HTTPHeader] = [],
        body: Data? = nil,
        bodyFile: URL? = nil,
        signature: AWSSignature? = nil,
        timeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10),
        followRedirects: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.bodyFile = bodyFile
        self.signature = signature
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.followRedirects = followRedirects
    }

    public var description: String {
        var text = "\(method) \(Redaction.displayURL(url))"
        if !headers.isEmpty {
            text += " [" + headers.map(\.description).joined(separator: ", ") + "]"
        }
        if let body {
            text += " body: \(body.count) bytes"
        }
        if let bodyFile {
            text += " body: \(bodyFile.path)"
        }
        return text
    }

    /// Values that must never appear in a log line or an error message.
    var secrets: [String] {
        var values = headers.filter(\.isSecret).map(\.value)
        if let signature {
            values.append(signature.secretAccessKey)
        }
        if let components = URLComponents(string: url) {
            // Both spellings: libcurl may echo either.
            values += [components.percentEncodedPassword, components.password].compactMap { $0 }
        }
        return Array(Set(values.filter { !$0.isEmpty }))
    }
}
