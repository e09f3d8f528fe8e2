import Foundation

/// Moving a model version into an environment: pending approval → approved → applied, or
/// rejected, superseded, failed.
public struct Promotion: Sendable, Hashable, Codable {
    /// The store's number for a promotion, shown as `promotion 4`.
    public typealias ID = SerialNumber<Promotion>

    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Waiting for approvals from the environment's approvers.
        case pendingApproval = "pending_approval"
        /// Approved (or `auto`), waiting to be written to the deploy repository; `reason` says why
        /// a write that failed for now will be tried again.
        case approved
        /// Its manifest commit is on the deploy repository's remote.
        case applied
        case rejected
        /// A newer version was promoted to the same environment first.
        case superseded
        /// Writing the manifest failed for good.
        case failed
    }

    /// One approver's approval.
    public struct Approval: Sendable, Hashable, Codable {
        public var approver: String
        public var at: Date
    }

    public var id: ID
    public var model: String
    public var version: ModelVersion.Number
    public var environment: String
    public var state: State
    public var requestedBy: String
    /// Distinct approvals needed, from `approvers`.
    public var requiredApprovals: Int
    /// The forge logins that may decide, from the server's policy when it was requested; empty:
    /// the holders of release-manager and admin tokens.
    public var approvers: [String]
    /// The forge logins that brought the version (pushers, commit and pull-request authors):
    /// none of them may approve it unless the environment allows self-approval.
    public var broughtBy: [String]
    var allowSelfApproval: Bool
    public var approvals: [Approval]
    /// Why it ended as it did (the rejection's reason, the failure, the superseding version).
    public var reason: String?
    /// The deploy repository commit that applied it.
    public var deployCommit: String?
    /// Why a release manager rolled the environment back to this version; nil for a promotion
    /// that came from a new version.
    var rollbackReason: String?
    public var requestedAt: Date
    var updatedAt: Date
    /// How many times the store has changed it; a decision is written only on the revision it read.
    public var revision: Int = 0
}

extension Promotion: Numbered {
    public static func label(of number: Int64) -> String { "promotion \(number)" }
}
