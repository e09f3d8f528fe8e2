/// One `login:role:token` entry of `auth.tokens_env`: who is calling the API and with what role.
///
/// The name is the holder's forge login, so the audit log, approvals and self-approval checks
/// name the same person whichever surface they used; the token stays a `Secret`.
public struct APIToken: Sendable, CustomStringConvertible {
    public var name: String
    public var role: APIRole
    public var token: Secret

    public var description: String { "\(name) (\(role.rawValue))" }
}
