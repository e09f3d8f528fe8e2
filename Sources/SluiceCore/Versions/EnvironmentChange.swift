import Foundation

/// One move of an environment alias (`production`) from one version of a model to another.
///
/// The history of these moves is how Sluice answers "which version was in production at time T":
/// the alias held the `to` version of the last change at or before T.
public struct EnvironmentChange: Sendable, Hashable, Codable {
    public var model: String
    public var environment: String
    /// Nil when the environment held no version of the model before.
    public var from: ModelVersion.Number?
    /// Nil when the change emptied the environment.
    public var to: ModelVersion.Number?
    /// Who moved it: `sluice` for automatic promotions, a user name otherwise.
    public var actor: String
    public var reason: String
    public var at: Date
}
