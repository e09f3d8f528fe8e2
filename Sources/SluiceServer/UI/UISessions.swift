import Foundation
import SluiceCore

/// The signed-in browsers, in memory: a restart signs everyone out, which is the safe failure.
actor UISessions {
    /// How long a sign-in lasts.
    static let lifetime: TimeInterval = 12 * 3600

    private var sessions: [String: UISession] = [:]

    /// A new session for the holder of `token`.
    func open(for token: APIToken, now: Date = Date()) -> UISession {
        sessions = sessions.filter { $0.value.expires > now }
        let session = UISession(
            id: UISession.randomToken(), name: token.name, role: token.role, csrf: UISession.randomToken(),
            expires: now.addingTimeInterval(Self.lifetime))
        sessions[session.id] = session
        return session
    }

    /// The live session with this id, if any.
    func session(_ id: String, now: Date = Date()) -> UISession? {
        guard let session = sessions[id], session.expires > now else { return nil }
        return session
    }

    func close(_ id: String) {
        sessions[id] = nil
    }
}
