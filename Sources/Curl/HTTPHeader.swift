import Foundation

/// One HTTP header field: a name, a value, and whether the value is a secret.
///
/// A secret value is shown as `<redacted>` by `description`, `debugDescription` and `dump`, and
/// ``HTTPClient`` never logs it nor lets it into an error message. Credentials headers
/// (`Authorization`, `Proxy-Authorization`, `Private-Token`, `Cookie`, `Set-Cookie`) are secret
/// even when not marked, so a forgotten `.secret` does not leak a token.
public struct HTTPHeader: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let name: String
    public let value: String
    private let markedSecret: Bool

    /// Header names (lowercased) whose values are always treated as secret.
    static let alwaysSecretNames: Set<String> = [
        "authorization", "proxy-authorization", "private-token", "cookie", "set-cookie",
    ]

    public init(name: String, value: String, isSecret: Bool = false) {
        self.name = name
        self.value = value
        self.markedSecret = isSecret
    }

    public init(_ name: String, _ value: String) {
        self.init(name: name, value: value)
    }

    /// A header whose value must never be shown or logged, such as an API token.
    public static func secret(_ name: String, _ value: String) -> HTTPHeader {
        HTTPHeader(name: name, value: value, isSecret: true)
    }

    /// Whether the value is marked secret or the name is a well-known credentials header.
    public var isSecret: Bool {
        markedSecret || Self.alwaysSecretNames.contains(name.lowercased())
    }

    /// The value as it may be shown or logged: `<redacted>` when secret.
    var displayValue: String {
        isSecret ? "<redacted>" : value
    }

    public var description: String { "\(name): \(displayValue)" }

    public var debugDescription: String { "HTTPHeader(\(description))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "value": displayValue, "isSecret": isSecret])
    }

    /// Whether the name matches `other` ignoring ASCII case, as HTTP field names do.
    func hasName(_ other: String) -> Bool {
        name.caseInsensitiveCompare(other) == .orderedSame
    }

    /// Whether the name is a token and the value has no line breaks or NULs, so it cannot inject
    /// a header.
    var isWellFormed: Bool {
        !name.isEmpty && name.utf8.allSatisfy(Self.isTokenByte)
            && !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 })
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension Array where Element == HTTPHeader {
    /// The value of the first header named `name`, ignoring case.
    func first(named name: String) -> String? {
        first(where: { $0.hasName(name) })?.value
    }
}
