import Foundation

/// Registers a passed run as a model version: its artifact into the content-addressed store
/// first, then the version into the registry, so a registered version's bytes can always be
/// served by digest.
public struct Registrar: Sendable {
    private let store: Store
    private let artifacts: ArtifactStore
    /// Where run directories are, to find the output folder an artifact must stay inside.
    private let stateDirectory: URL

    public init(store: Store, artifacts: ArtifactStore, stateDirectory: URL) {
        self.store = store
        self.artifacts = artifacts
        self.stateDirectory = stateDirectory
    }

    /// The version the run becomes (or already is). Refused for a run whose gate did not pass,
    /// and for an artifact that is gone or no longer has the digest the run recorded; a run of
    /// a claimed trigger registers only while `claim` holds.
    public func register(
        _ runID: Run.ID, branch: String?, provenance: ModelVersion.Provenance = .init(), claim: TriggerClaim? = nil
    ) async throws(RegistryError) -> ModelVersion {
        let run: Run?
        do {
            run = try await store.run(runID)
        } catch {
            throw RegistryError(.store, error.description)
        }
        guard let run else { throw RegistryError(.notFound, "there is no \(runID)") }
        _ = try run.registrable()
        if let path = run.conclusion.artifactPath, let recorded = run.conclusion.artifactDigest {
            let artifact = URL(fileURLWithPath: path)
            let output = RunDirectory(stateDirectory: stateDirectory, run: run.conclusion.cachedFrom ?? runID).output
            let stored: Digest
            do {
                stored = try await artifacts.put(artifact: artifact, within: output)
            } catch {
                throw RegistryError(.notFound, "could not store the artifact of \(runID): \(error.message)")
            }
            guard stored == recorded else {
                throw RegistryError(
                    .notFound, "the artifact of \(runID) changed since the run: it is \(stored), the run recorded \(recorded)")
            }
        }
        return try await store.register(runID, branch: branch, provenance: provenance, claim: claim)
    }
}
