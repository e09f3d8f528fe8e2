/// What an API token may do, from reading to administering.
///
/// Roles are ordered by privilege, so a check is `token.role >= .releaseManager`: a release
/// manager can approve promotions and everything an engineer can do.
public enum APIRole: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case viewer
    case engineer
    case releaseManager = "release-manager"
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .engineer: 1
        case .releaseManager: 2
        case .admin: 3
        }
    }

    public static func < (lhs: APIRole, rhs: APIRole) -> Bool {
        lhs.rank < rhs.rank
    }
}
