import Foundation

/// A response received by ``HTTPClient``: status, headers and the whole body.
///
/// Any status is a response, 4xx and 5xx included; only transport failures are errors. Headers
/// are those of the final response when redirects were followed.
public struct HTTPResponse: Sendable, Hashable, CustomStringConvertible {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: Data

    public init(status: Int, headers: [HTTPHeader] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name`, ignoring case.
    public func header(_ name: String) -> String? {
        headers.first(named: name)
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    public var description: String {
        "HTTPResponse(status: \(status), \(headers.count) headers, \(body.count) bytes)"
    }
}
