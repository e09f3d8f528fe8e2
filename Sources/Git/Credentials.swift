import Foundation

/// How to authenticate to a remote. Handed to libgit2 only through its credentials callback, so a
/// secret is never written into a URL or `.git/config`; `description` never shows one.
public enum Credentials: Sendable, CustomStringConvertible {
    /// An access token over http(s). GitHub accepts any user name with a token; GitLab wants
    /// `oauth2`. Both accept a token as the password.
    case token(String, username: String = "x-access-token")
    /// A user name and password over http(s).
    case password(username: String, password: String)
    /// An SSH key pair from files, optionally protected by a passphrase.
    case sshKey(username: String, privateKey: URL, publicKey: URL?, passphrase: String?)
    /// Keys held by the running ssh-agent (`SSH_AUTH_SOCK`).
    case sshAgent(username: String)

    /// The values that must never appear in a message.
    var secrets: [String] {
        switch self {
        case .token(let token, _): [token]
        case .password(_, let password): [password]
        case .sshKey(_, _, _, let passphrase): passphrase.map { [$0] } ?? []
        case .sshAgent: []
        }
    }

    public var description: String {
        switch self {
        case .token(_, let username): "token for \(username) (\(Redaction.placeholder))"
        case .password(let username, _): "password for \(username) (\(Redaction.placeholder))"
        case .sshKey(let username, let privateKey, _, _): "ssh key \(privateKey.path) for \(username)"
        case .sshAgent(let username): "ssh agent for \(username)"
        }
    }
}
