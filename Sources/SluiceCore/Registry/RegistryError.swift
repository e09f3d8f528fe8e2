/// Why the registry refused a change; the message says what would be accepted.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was refused; an open set so new checks need no breaking change.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The run did not pass its gate (or has not finished).
        public static let gateNotPassed = Code("gate not passed")
        /// No such run, model or version.
        public static let notFound = Code("not found")
        /// The store failed; retry later.
        public static let store = Code("store")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The refusal of a run that did not pass its gate.
    static func gateNotPassed(_ run: Run) -> RegistryError {
        RegistryError(
            .gateNotPassed, "\(run.id) ended \(run.state.rawValue); only a run whose gate passed can be registered")
    }
}
