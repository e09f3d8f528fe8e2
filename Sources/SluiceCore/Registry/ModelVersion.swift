import Foundation

/// A registered model: one numbered version of a model, with everything that produced it.
///
/// The lineage is the run's: the repository and commit it trained, the trigger and delivery that
/// started it, the data digests it read, the spec it followed, its metrics and gate report. Only
/// a run whose gate passed becomes a version; the store refuses any other.
public struct ModelVersion: Sendable, Hashable, Codable {
    /// The version's number within its model: 1, 2, 3, ... Raw-representable, so JSON shows it
    /// as a bare number (`"version": 3`).
    public struct Number: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
        public let rawValue: Int

        public init(_ rawValue: Int) {
            self.rawValue = rawValue
        }

        public init(rawValue: Int) {
            self.init(rawValue)
        }

        public var description: String { "v\(rawValue)" }

        public static func < (lhs: Number, rhs: Number) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var model: String
    public var number: Number
    /// `sha256:<hex>` of the artifact.
    public var artifactDigest: String
    public var run: Run
    /// The branch the commit was pushed to, when a push registered it.
    public var branch: String?
    /// The delivery whose trigger started the run, when one did.
    public var deliveryID: Int64?
    /// The Sluice that registered it.
    public var sluiceVersion: String
    public var registeredAt: Date

    /// `churn v3`.
    public var label: String { "\(model) \(number)" }
}
