import Foundation
import SluiceCore

/// The signed-in browsers, in memory: a restart signs everyone out, which is the safe failure.
///
/// Not hummingbird-auth's `SessionMiddleware` yet: its in-memory `MemoryPersistDriver` expires
/// sessions on a Swift `Clock`, while every expiry here runs on the injected ``WallClock`` that
/// tests drive; the bearer half of authentication is hummingbird-auth's (``CallerAuthenticator``).
actor UISessions {
    /// How long a sign-in lasts.
    static let lifetime: TimeInterval = 12 * 3600

    private var sessions: [String: UISession] = [:]
    /// What sign-ins expire by.
    private let clock: any WallClock

    init(clock: any WallClock) {
        self.clock = clock
    }

    /// A new session for the holder of `token`.
    func open(for token: APIToken) -> UISession {
        let now = clock.now
        sessions = sessions.filter { $0.value.expires > now }
        let session = UISession(
            id: UISession.randomToken(), name: token.name, role: token.role, csrf: UISession.randomToken(),
            expires: now.addingTimeInterval(Self.lifetime))
        sessions[session.id] = session
        return session
    }

    /// The live session with this id, if any.
    func session(_ id: String) -> UISession? {
        guard let session = sessions[id], session.expires > clock.now else { return nil }
        return session
    }

    func close(_ id: String) {
        sessions[id] = nil
    }
}
