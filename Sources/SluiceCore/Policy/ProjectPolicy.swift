/// The server's rules for one project's runs and promotions, from the operator's `sluice.yml`:
/// which models it owns, how its environments are protected, the gate floor every candidate also
/// passes, and whether its trusted steps have network.
///
/// A candidate's `.sluice.yml` is checked against it before any of the candidate's code runs
/// (``violations(of:)``), and each registered version's promotions are planned from it
/// (``promotions(for:branch:loosened:)``), so no commit decides its own policy.
public struct ProjectPolicy: Sendable, Hashable {
    public var project: String
    public var environments: [EnvironmentPolicy]
    var gateFloor: [GateRule]
    public var models: [String]
    /// Every registry model of every project, with the project that owns it.
    var modelOwners: [String: String]
    public var network: Bool

    public init(
        project: String, environments: [EnvironmentPolicy] = [], gateFloor: [GateRule] = [], models: [String],
        modelOwners: [String: String] = [:], network: Bool = true
    ) {
        self.project = project
        self.environments = environments
        self.gateFloor = gateFloor
        self.models = models
        self.modelOwners = modelOwners
        self.network = network
    }

    /// What `spec` asks that this policy does not allow, each naming the key that governs it;
    /// empty when it may run. A project without environments in the server config promotes
    /// nowhere, so the environments a spec names are not checked for it.
    func violations(of spec: PipelineSpec) -> [String] {
        var problems: [String] = []
        if !models.contains(spec.model) {
            if let owner = modelOwners[spec.model] {
                problems.append(
                    "model: '\(spec.model)' belongs to project \(owner) (projects[].models in the server config); "
                        + "project \(project) may register only \(models.joined(separator: ", "))")
            } else {
                problems.append(
                    "model: project \(project) does not own a model named '\(spec.model)'; set model to one of "
                        + "\(models.joined(separator: ", ")), or add it to projects[\(project)].models in the server config")
            }
        }
        guard !environments.isEmpty else { return problems }
        for (index, target) in spec.environments.enumerated() {
            let key = "environments[\(index)]"
            guard let policy = environments.first(where: { $0.name == target.name }) else {
                problems.append(
                    "\(key): '\(target.name)' is not an environment of project \(project) "
                        + "(the server config's projects[\(project)].environments has \(environments.map(\.name).joined(separator: ", "))); "
                        + "remove it here or ask the operator to add it")
                continue
            }
            guard let approvals = target.approvals else { continue }
            let serverKey = "projects[\(project)].environments[\(policy.name)]"
            if approvals < policy.approvals {
                problems.append(
                    "\(key).approvals: \(approvals) is fewer than the \(policy.approvals) that \(serverKey).approvals requires; "
                        + "a spec may only ask for more approvals, so raise it or remove it")
            } else if !policy.approvers.isEmpty, approvals > policy.approvers.count {
                problems.append(
                    "\(key).approvals: \(approvals) approvals can never be given, \(serverKey).approvers lists only "
                        + "\(policy.approvers.count); lower it")
            }
        }
        return problems
    }

    /// The promotion each environment of `spec` gets for a version registered from `branch`, in
    /// the spec's order: the server's policy, made stricter where the spec asks, and needing
    /// approval everywhere when the candidate `loosened` the gate rules of the version it replaces.
    public func promotions(for spec: PipelineSpec, branch: String?, loosened: Bool) -> [PlannedPromotion] {
        spec.environments.compactMap { target in
            guard let policy = environments.first(where: { $0.name == target.name }) else { return nil }
            guard policy.admits(branch: branch) else {
                let allowed = (policy.branches ?? []).joined(separator: ", ")
                return .skip(
                    environment: policy.name,
                    because: "only versions from \(allowed) go to \(policy.name) (projects[\(project)].environments[\(policy.name)].branches)")
            }
            let tightened = policy.tightened(toApprovals: target.approvals)
            return .request(loosened ? tightened.requiringApproval : tightened)
        }
    }
}

/// What happens to one environment a new version's spec names.
public enum PlannedPromotion: Sendable, Hashable {
    /// Ask for a promotion under this policy.
    case request(EnvironmentPolicy)
    /// The server's policy keeps this version out of the environment.
    case skip(environment: String, because: String)
}

extension ServerConfig {
    /// The server's rules for `project`.
    public func policy(of project: ProjectConfig) -> ProjectPolicy {
        var owners: [String: String] = [:]
        for other in projects {
            for model in other.models { owners[model] = other.name }
        }
        return ProjectPolicy(
            project: project.name, environments: project.environments, gateFloor: project.gate, models: project.models,
            modelOwners: owners, network: project.network)
    }
}
