import CodedErrors

/// Why the registry refused a change; the message says what would be accepted.
public typealias RegistryError = CodedError<Registrar>

extension ErrorCode<Registrar> {
    /// The run did not pass its gate (or has not finished).
    public static var gateNotPassed: Self { Self("gate not passed") }
    /// No such run, model or version.
    public static var notFound: Self { Self("not found") }
    /// The store failed; retry later.
    public static var store: Self { Self("store") }
}

extension CodedError<Registrar> {
    /// The refusal of a run that did not pass its gate.
    static func gateNotPassed(_ run: Run) -> RegistryError {
        RegistryError(
            .gateNotPassed, "\(run.id) ended \(run.state.rawValue); only a run whose gate passed can be registered")
    }
}
