import Foundation

/// A registered model: one numbered version of a model, with everything that produced it.
///
/// The lineage is the run's: the repository and commit it trained, the trigger and delivery that
/// started it, the data digests it read, the spec it followed, its metrics and gate report. Only
/// a run whose gate passed becomes a version; the store refuses any other.
public struct ModelVersion: Sendable, Hashable, Codable {
    /// The version's number within its model: 1, 2, 3, ..., shown as `v3`.
    public typealias Number = SerialNumber<ModelVersion>

    public var model: String
    public var number: Number
    /// The artifact's address.
    public var artifactDigest: Digest
    public var run: Run
    /// The branch the commit was pushed to, when a push registered it.
    public var branch: String?
    /// The forge logins that brought it: who pushed its commit, who authored that commit (as
    /// the forge verified it) and, for a merge, the pull request's author. None of them may
    /// approve its promotions unless the environment allows self-approval.
    public var broughtBy: [String]
    /// The pull request this version is the merge of, when it is one.
    public var pullRequest: Int?
    /// The run that gated that pull request's head.
    public var pullRequestRun: Run.ID?
    /// The delivery whose trigger started the run, when one did.
    public var deliveryID: Int64?
    /// The Sluice that registered it.
    var sluiceVersion: String
    public var registeredAt: Date

    /// `churn v3`.
    public var label: String { "\(model) \(number)" }

    /// Where a version came from, beyond its run: the people who brought it and the pull request
    /// it merges. Found by the scheduler from the deliveries that named the commit.
    public struct Provenance: Sendable, Hashable {
        public var broughtBy: [String]
        public var pullRequest: Int?
        public var pullRequestRun: Run.ID?

        public init(broughtBy: [String] = [], pullRequest: Int? = nil, pullRequestRun: Run.ID? = nil) {
            self.broughtBy = broughtBy
            self.pullRequest = pullRequest
            self.pullRequestRun = pullRequestRun
        }
    }
}

extension ModelVersion: Numbered {
    public static func label(of number: Int) -> String { "v\(number)" }
}
