import Foundation

/// Removes credentials from text before it is logged or put in an error.
///
/// The one choke point for the module: every URL that is logged goes through ``displayURL(_:)``
/// and every libcurl message through ``redact(_:secrets:)``.
enum Redaction {
    static let placeholder = "<redacted>"

    /// `url` without its userinfo (`user:password@`), so it can be logged.
    static func displayURL(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let authorityStart = schemeEnd.upperBound
        let rest = url[authorityStart...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<authorityStart]) + String(url[url.index(after: at)...])
    }

    /// `text` with every occurrence of each secret replaced by `<redacted>`.
    static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) where !secret.isEmpty {
            result = result.replacingOccurrences(of: secret, with: placeholder)
        }
        return result
    }
}
