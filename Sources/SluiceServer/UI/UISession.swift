import Foundation
import SluiceCore

/// What a signed-in browser's session holds, kept by hummingbird-auth's `SessionMiddleware`
/// under a random cookie id: who the token belonged to, and the token every form must carry back.
public struct UISession: Codable, Sendable {
    let login: String
    let role: APIRole
    /// Put in every form as `csrf`; a POST without it is refused, so another site cannot make
    /// the browser approve anything.
    let csrf: String

    /// A new session for the holder of `token`, with a fresh CSRF token.
    init(for token: APIToken) {
        login = token.name
        role = token.role
        csrf = Self.randomToken()
    }

    /// 32 bytes from the system's secure generator, as hex.
    private static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
