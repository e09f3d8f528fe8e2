import Foundation

/// One step of a run as the store knows it: started, and ended with how.
public struct RunStep: Sendable, Hashable, Codable {
    public var name: String
    public var command: String
    public var startedAt: Date
    /// Nil while the step runs.
    public var endedAt: Date?
    /// `done`, `exited 2`, `timed out`, ...; nil while the step runs.
    public var outcome: String?
    public var succeeded: Bool?

    public init(name: String, command: String, startedAt: Date, endedAt: Date?, outcome: String?, succeeded: Bool?) {
        self.name = name
        self.command = command
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.succeeded = succeeded
    }
}
