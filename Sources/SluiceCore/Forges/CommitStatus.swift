/// The status of one commit for one check, as shown next to it on the forge.
public struct CommitStatus: Sendable, Hashable {
    /// Where the check stands; each forge maps these onto its own states.
    public enum State: String, Sendable, Hashable {
        /// Waiting to start (a fork's pull request before `/sluice run`).
        case pending
        case running
        case success
        case failure
        case error
    }

    /// The check every Sluice status is posted under.
    public static let gateContext = "sluice/gate"
    /// The longest description GitHub accepts; a longer one is refused with 422.
    static let maxDescriptionLength = 140

    public var state: State
    /// One line, cut to `maxDescriptionLength` characters.
    public var description: String
    /// Where the status links to: the run's page.
    public var targetURL: String?
    public var context: String

    public init(state: State, description: String, targetURL: String?, context: String = Self.gateContext) {
        self.state = state
        self.description = Self.cut(description)
        self.targetURL = targetURL
        self.context = context
    }

    /// The first line of `text`, ending in `…` when it had to be cut.
    static func cut(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        guard line.count > maxDescriptionLength else { return line }
        return String(line.prefix(maxDescriptionLength - 1)) + "…"
    }
}
