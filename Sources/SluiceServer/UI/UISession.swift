import Foundation
import SluiceCore

/// A signed-in browser: who the token belonged to, and the token every form must carry back.
struct UISession: Sendable {
    /// The cookie's value: 32 random bytes in hex.
    let id: String
    let name: String
    let role: APIRole
    /// Put in every form as `csrf`; a POST without it is refused, so another site cannot make
    /// the browser approve anything.
    let csrf: String
    let expires: Date

    /// 32 bytes from the system's secure generator, as hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
