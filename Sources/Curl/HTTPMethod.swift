/// An HTTP request method such as `GET` or `POST`.
///
/// An open set: the common methods are static members, and any other token can be made with
/// `HTTPMethod(rawValue:)`. A method that is not a valid HTTP token is rejected when the request
/// is sent, with ``CurlError/Code/invalidRequest``.
public struct HTTPMethod: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let head = HTTPMethod(rawValue: "HEAD")

    public var description: String { rawValue }

    /// Whether the method is a non-empty RFC 9110 token, so it cannot smuggle spaces or line breaks.
    var isValidToken: Bool {
        !rawValue.isEmpty && rawValue.utf8.allSatisfy(HTTPHeader.isTokenByte)
    }
}
