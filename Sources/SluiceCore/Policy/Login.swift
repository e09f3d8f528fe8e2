/// Forge logins: GitHub and GitLab treat `Alice` and `alice` as one account.
enum Login {
    static func same(_ lhs: String, _ rhs: String) -> Bool {
        lhs.lowercased() == rhs.lowercased()
    }
}
