import Foundation
import Git

/// Carries model versions into environments: requests a promotion to each environment of a new
/// version's spec under the server's policy for it, and applies approved promotions by writing
/// their manifest to the deploy repository. Approving, rejecting and rolling back go through here
/// too, so every surface (API, web UI, pull-request comments) decides and applies the same way.
///
/// How an environment is protected comes from the server config only (``ProjectPolicy``); the
/// version's `.sluice.yml` names its environments, in order, and may ask for more approvals.
/// What a promotion writes comes from the version's own commit: its `.sluice.yml` names the
/// template and values, and a template path is read from that same commit, so rolling back to v3
/// writes v3's manifest as v3's spec described it; the output must pass ``ManifestPolicy``. The
/// store calls a promotion applied, and moves the environment, only once the deploy
/// repository's remote holds its commit.
public struct Promoter: Sendable {
    /// Who the manifest commits are by.
    static let authorName = "Sluice"

    private let store: Store
    private let ledger: PromotionLedger
    private let workspace: Workspace
    private let renderer: ManifestRenderer
    /// Nil when the server config has no `deploy` section: approved promotions then wait.
    private let deployRepository: DeployRepository?
    private let publicURL: URL?
    private let config: ServerConfig

    public init(
        config: ServerConfig, store: Store, ledger: PromotionLedger, workspace: Workspace, renderer: ManifestRenderer,
        deployRepository: DeployRepository?
    ) {
        self.store = store
        self.ledger = ledger
        self.workspace = workspace
        self.renderer = renderer
        self.deployRepository = deployRepository
        publicURL = config.publicURL
        self.config = config
    }

    /// What became of a new version in each environment its spec names.
    public struct Outcome: Sendable {
        /// The promotions requested, as they ended up (an `auto` one is applied already).
        public var promotions: [Promotion]
        /// Environments the server's policy kept the version out of, with why.
        public var skipped: [String]
    }

    /// Requests a promotion of a newly registered `version` to every environment `spec` (the one
    /// its run read) lists, in order, under the server's policy for each (stricter where the spec
    /// asks, needing approval everywhere when the candidate loosened the replaced version's gate
    /// rules), and applies those approved at once, from that same spec. A project without
    /// environments in the server config promotes nowhere.
    public func promote(_ version: ModelVersion, spec: PipelineSpec) async throws(PromotionError) -> Outcome {
        guard let project = version.run.project.flatMap(config.project(named:)) else { return Outcome(promotions: [], skipped: []) }
        guard let commit = ObjectID(hex: version.run.commit) else {
            throw PromotionError(.unreadableSource, "\(version.label) was trained from '\(version.run.commit)', which is not a commit id")
        }
        let source = Source(repository: repository(of: version), commit: commit, spec: spec)
        let loosened = !(version.run.conclusion.gateReport?.loosened.isEmpty ?? true)
        var outcome = Outcome(promotions: [], skipped: [])
        for plan in config.policy(of: project).promotions(for: source.spec, branch: version.branch, loosened: loosened) {
            switch plan {
            case .skip(let environment, let reason):
                outcome.skipped.append("\(environment): \(reason)")
            case .request(let policy):
                let promotion = try await ledger.requestPromotion(of: version, to: policy, requestedBy: "sluice")
                outcome.promotions.append(promotion.state == .approved ? try await apply(promotion.id, from: source) : promotion)
            }
        }
        return outcome
    }

    /// The logins that decide where an environment lists no approvers.
    private var releaseManagers: Set<String> { config.auth?.releaseManagers ?? [] }

    /// Records `approver`'s approval and, when that completes the promotion, applies it.
    public func approve(_ id: Promotion.ID, as approver: String) async throws(PromotionError) -> Promotion {
        let promotion = try await ledger.approve(id, as: approver, releaseManagers: releaseManagers)
        return promotion.state == .approved ? try await apply(id) : promotion
    }

    /// Records `approver`'s rejection of a promotion that waits for approval.
    public func reject(_ id: Promotion.ID, as approver: String, reason: String) async throws(PromotionError) -> Promotion {
        try await ledger.reject(id, as: approver, reason: reason, releaseManagers: releaseManagers)
    }

    /// Rolls `environment` back (see ``EnvironmentState/rollback(to:by:reason:at:)``) and writes the older manifest.
    public func rollback(
        _ model: String, in environment: String, to target: ModelVersion.Number?, by actor: String, reason: String
    ) async throws(PromotionError) -> Promotion {
        let promotion = try await ledger.requestRollback(of: model, in: environment, to: target, by: actor, reason: reason)
        return try await apply(promotion.id)
    }

    /// Freezes promotion into `environment` until `unpin`.
    public func pin(_ model: String, environment: String, by actor: String, reason: String) async throws(PromotionError) {
        try await ledger.pin(model, environment: environment, by: actor, reason: reason)
    }

    /// Lifts the pin of `environment` and writes the promotions there that it let go (those that
    /// have their approvals, or need none). Returns them as they ended up.
    public func unpin(_ model: String, environment: String, by actor: String) async throws(PromotionError) -> [Promotion] {
        try await ledger.unpin(model, environment: environment, by: actor)
        return try await applyApproved { $0.model == model && $0.environment == environment }
    }

    /// Carries out `/sluice approve ENV` or `/sluice reject ENV` from a pull-request comment: the
    /// newest promotion to ENV, of a model the project owns, that waits for approval is decided by
    /// the commenter, who must be one of its approvers as on every other surface.
    public func decide(_ command: CommentCommand) async throws(PromotionError) -> Promotion {
        guard command.verb.decidesPromotion, let environment = command.environment else {
            throw PromotionError(.notFound, "/sluice \(command.verb.rawValue) is not a promotion decision; write /sluice approve ENVIRONMENT")
        }
        guard let project = config.project(named: command.project) else {
            throw PromotionError(.notFound, "there is no project \(command.project)")
        }
        let open: [Promotion]
        do {
            open = try await store.promotions()
        } catch {
            throw PromotionError(.store, error.description)
        }
        guard
            let promotion = open.first(where: {
                $0.state == .pendingApproval && $0.environment == environment && project.models.contains($0.model)
            })
        else {
            throw PromotionError(
                .notFound,
                "no promotion of \(project.models.joined(separator: ", ")) to \(environment) waits for approval")
        }
        if command.verb == .approve {
            return try await approve(promotion.id, as: command.commenter)
        }
        return try await reject(promotion.id, as: command.commenter, reason: "rejected in a comment on #\(command.number)")
    }

    /// Applies every approved promotion (those `including` picks), oldest first: what a restart
    /// does after a crash or an outage of the deploy repository. Returns each as it ended up.
    public func applyApproved(
        including: (Promotion) -> Bool = { _ in true }
    ) async throws(PromotionError) -> [Promotion] {
        let approved: [Promotion]
        do {
            approved = try await store.approvedPromotions().filter(including)
        } catch {
            throw PromotionError(.store, error.description)
        }
        var results: [Promotion] = []
        for promotion in approved {
            results.append(try await apply(promotion.id))
        }
        return results
    }

    /// Writes an approved promotion's manifest to the deploy repository and records it applied.
    ///
    /// Returns the promotion as it ended up: `applied` with its deploy commit; `failed` when its
    /// manifest can never be made as it is (the reason says what to fix in `.sluice.yml`); or still
    /// `approved`, with the reason the write waits (no deploy repository, unreachable, refused
    /// credentials), to be tried again. Only a store failure is thrown.
    public func apply(_ id: Promotion.ID) async throws(PromotionError) -> Promotion {
        try await apply(id, from: nil)
    }

    /// `apply(_:)`, with the version's spec already read when `source` is given.
    private func apply(_ id: Promotion.ID, from source: Source?) async throws(PromotionError) -> Promotion {
        let promotion = try await store.promotion(id)
        guard promotion.state == .approved else { return promotion }
        let recorded: Result<Promotion, PromotionError>
        do throws(Obstacle) {
            recorded = try await write(promotion, from: source) { outcome in
                do throws(PromotionError) {
                    return .success(try await ledger.markApplied(id, deployCommit: outcome.commit.hex))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            switch error {
            case .waiting(let reason): return try await ledger.noteWriteDelayed(id, reason: reason)
            case .terminal(let reason): return try await ledger.markFailed(id, reason: reason)
            }
        }
        return try recorded.get()
    }

    /// Renders the promotion's manifest, writes it to the deploy repository, and runs `landed`
    /// with the outcome before another write can land.
    ///
    /// Replicas sharing a store write one at a time per deploy repository (`Store.exclusively`),
    /// so they do not fight over pushes and their environments move in the order commits landed.
    private func write(
        _ promotion: Promotion, from source: Source?,
        landed: @escaping @Sendable (DeployOutcome) async -> Result<Promotion, PromotionError>
    ) async throws(Obstacle) -> Result<Promotion, PromotionError> {
        guard let deployRepository else {
            throw .waiting("no deploy repository is configured: add deploy.repo to the server config")
        }
        guard let publicURL else {
            throw .waiting("the server config has no public_url, which the manifest's artifact URL is made of")
        }
        let change = try await manifestChange(
            for: promotion, from: source, deploy: deployRepository.config, publicURL: publicURL)
        let written: Result<Result<Promotion, PromotionError>, DeployError>
        do {
            written = try await store.exclusively("deploy \(deployRepository.config.repo) \(deployRepository.config.branch)") {
                do throws(DeployError) {
                    return .success(try await deployRepository.apply(change, landed: landed))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw .waiting("\(error)")
        }
        do {
            return try written.get()
        } catch {
            throw error.isRetryable ? .waiting(error.message) : .terminal(error.message)
        }
    }

    /// Why a promotion was not applied: it may be later, or it never can be as it is.
    private enum Obstacle: Error {
        case waiting(String)
        case terminal(String)
    }

    /// A version's commit, in the repository it was trained from, and the spec at that commit.
    private struct Source: Sendable {
        var repository: Repository
        var commit: ObjectID
        var spec: PipelineSpec
    }

    private struct SourceError: Error {
        let message: String
    }

    /// The repository a version was trained from: its project's mirror, or the local clone.
    private func repository(of version: ModelVersion) -> Repository {
        version.run.project.flatMap(config.project(named:)).map { workspace.mirror(for: $0).repository }
            ?? Repository(at: URL(fileURLWithPath: version.run.repository))
    }

    /// The version's spec, read from the commit it was trained from.
    private func source(of version: ModelVersion) async throws(SourceError) -> Source {
        let run = version.run
        let repository = repository(of: version)
        guard let commit = ObjectID(hex: run.commit) else {
            throw SourceError(message: "\(version.label) was trained from '\(run.commit)', which is not a commit id")
        }
        let read = await blocking { () -> Result<Data, GitError> in
            Result { () throws(GitError) in try repository.fileContents(at: PipelineSpec.fileName, in: commit) }
        }
        let text: Data
        switch read {
        case .success(let found):
            text = found
        case .failure(let error):
            throw SourceError(
                message: "cannot read \(PipelineSpec.fileName) of \(version.label) at \(commit.hex.prefix(12)) "
                    + "from \(repository.path.path): \(error.message)")
        }
        do {
            let spec = try PipelineSpec.parse(yaml: String(decoding: text, as: UTF8.self))
            return Source(repository: repository, commit: commit, spec: spec)
        } catch {
            throw SourceError(message: "\(PipelineSpec.fileName) of \(version.label) does not parse: \(error)")
        }
    }

    /// The manifest, its path and its commit message for one promotion.
    private func manifestChange(
        for promotion: Promotion, from given: Source?, deploy: DeployConfig, publicURL: URL
    ) async throws(Obstacle) -> ManifestChange {
        let label = "\(promotion.model) \(promotion.version)"
        let found: ModelVersion?
        do {
            found = try await store.version(promotion.version, of: promotion.model)
        } catch {
            throw .waiting(error.description)
        }
        guard let version = found else { throw .terminal("\(promotion.model) has no version \(promotion.version)") }
        let source: Source
        if let given {
            source = given
        } else {
            do {
                source = try await self.source(of: version)
            } catch {
                throw .terminal(error.message)
            }
        }
        guard let deploySpec = source.spec.deploy else {
            throw .terminal(
                "\(PipelineSpec.fileName) of \(label) has no deploy section, so there is no manifest to write; "
                    + "add deploy.template (kserve or deployment) and deploy.values")
        }
        let project = version.run.project ?? ""
        let environment = config.project(named: project)?.environment(named: promotion.environment)
        let manifestPolicy = ManifestPolicy(
            allowedKinds: deploy.allowedKinds, namespace: environment?.namespace,
            namespaceKey: "projects[\(project)].environments[\(promotion.environment)].namespace")
        var values = deploySpec.values
        values["namespace"] = values["namespace"] ?? environment?.namespace
        let manifest: String
        do throws(ManifestError) {
            let context = ManifestContext(
                model: promotion.model, version: promotion.version.rawValue, environment: promotion.environment,
                digest: version.artifactDigest,
                storageURI: ManifestContext.defaultStorageURI(publicURL: publicURL, digest: version.artifactDigest),
                sourceRepository: version.run.repository, sourceCommit: version.run.commit,
                run: Int(version.run.id.rawValue), values: values)
            if let path = deploySpec.repositoryTemplatePath {
                let (repository, commit) = (source.repository, source.commit)
                let text = await blocking { () -> Data? in try? repository.fileContents(at: path, in: commit) }
                guard let text else {
                    throw ManifestError(
                        .unknownTemplate, path,
                        "deploy.template '\(path)' is not a file in \(label)'s commit \(commit.hex.prefix(12))")
                }
                manifest = try renderer.render(
                    templateText: String(decoding: text, as: UTF8.self), named: path, context: context)
            } else {
                manifest = try renderer.render(template: deploySpec.template, context: context)
            }
        } catch {
            throw .terminal(error.message)
        }
        if let refusal = manifestPolicy.refusal(of: manifest) {
            throw .terminal("the manifest of \(label) for \(promotion.environment) is refused: \(refusal)")
        }
        return ManifestChange(
            path: deploy.manifestPath(environment: promotion.environment, model: promotion.model),
            contents: Data(manifest.utf8),
            message: Self.message(for: promotion, version: version),
            trailers: [Trailer("Sluice-Model", label)],
            identity: Trailer("Sluice-Promotion", "\(promotion.id.rawValue)@\(store.installationID)"),
            notBefore: promotion.requestedAt.addingTimeInterval(-86_400),
            author: Signature(name: Self.authorName, email: "sluice@\(publicURL.host() ?? "localhost")"))
    }

    /// What the deploy commit says: what moved where, from which source, and on whose word.
    static func message(for promotion: Promotion, version: ModelVersion) -> String {
        let label = "\(promotion.model) \(promotion.version)"
        let subject =
            promotion.rollbackReason == nil
            ? "Promote \(label) to \(promotion.environment)"
            : "Roll back \(promotion.model) in \(promotion.environment) to \(promotion.version)"
        let decision: String
        if let reason = promotion.rollbackReason {
            decision = "Rolled back by: \(promotion.requestedBy) (\(reason))"
        } else if promotion.approvals.isEmpty {
            decision = "Approved by: nobody needed to (\(promotion.environment) promotes automatically)"
        } else {
            decision = "Approved by: " + promotion.approvals.map(\.approver).joined(separator: ", ")
        }
        return """
            \(subject)

            Model: \(label)
            Digest: \(version.artifactDigest)
            Source: \(version.run.repository)@\(version.run.commit)
            Run: \(version.run.id.rawValue)
            \(decision)
            """
    }
}
