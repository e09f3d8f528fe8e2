import CodedErrors

/// Why the registry refused a change; the message says what would be accepted.
public typealias RegistryError = CodedError<Registrar, NoDetail>

extension ErrorCode<Registrar> {
    /// The run did not pass its gate (or has not finished).
    static var gateNotPassed: Self { Self("gate not passed") }
    /// No such run, model or version.
    public static var notFound: Self { Self("not found") }
    /// The run's trigger is no longer this server's (its lease ran out): another replica
    /// carries it on.
    static var claimLost: Self { Self("claim lost") }
    /// The store failed; retry later.
    public static var store: Self { Self("store") }
}

extension Run {
    /// The model and artifact digest a version of this run registers, or the refusal: only a run
    /// whose gate passed, with its model and artifact recorded, becomes a version.
    func registrable() throws(RegistryError) -> (model: String, digest: Digest) {
        guard state == .passed, let model = conclusion.model, let digest = conclusion.artifactDigest else {
            throw RegistryError(
                .gateNotPassed, "\(id) ended \(state.rawValue); only a run whose gate passed can be registered")
        }
        return (model, digest)
    }
}
