import Yams

/// What a promotion may write into the deploy repository, which the cluster then applies: only
/// objects of the operator's allowed kinds (`deploy.allowed_kinds`), only in the environment's
/// namespace, and no pod that reaches into its node.
///
/// A template can come from the model repository, so without this check anyone with push rights
/// could render a `ClusterRoleBinding`, a pod with a `hostPath` volume or an object in another
/// team's namespace, and have Argo CD or Flux apply it with the controller's rights.
struct ManifestPolicy: Sendable, Hashable {
    /// Pod spec fields that give a container its node: its files, network, processes or kernel.
    static let hostAccessKeys: [(key: String, what: String)] = [
        ("hostPath", "mounts a directory of the node"),
        ("hostNetwork", "uses the node's network"),
        ("hostPID", "sees the node's processes"),
        ("hostIPC", "shares the node's IPC namespace"),
        ("privileged", "runs privileged"),
        ("allowPrivilegeEscalation", "allows privilege escalation"),
        ("hostPort", "binds a port of the node"),
    ]

    var allowedKinds: [String]
    /// The environment's namespace; nil: objects may not name one.
    var namespace: String?
    /// How messages name the namespace's source, `projects[churn].environments[production].namespace`.
    var namespaceKey: String

    init(allowedKinds: [String], namespace: String?, namespaceKey: String) {
        self.allowedKinds = allowedKinds
        self.namespace = namespace
        self.namespaceKey = namespaceKey
    }

    /// Why the rendered `manifest` may not be written, naming the offending object; nil when it may.
    func refusal(of manifest: String) -> String? {
        let documents: [Node]
        do {
            documents = try Array(Yams.compose_all(yaml: manifest))
        } catch {
            return "the rendered manifest is not YAML: \(error)"
        }
        for (index, document) in documents.enumerated() {
            let kind = document.mapping?["kind"]?.string ?? ""
            let metadata = document.mapping?["metadata"]?.mapping
            let name = metadata?["name"]?.string ?? "(unnamed)"
            let object = kind.isEmpty ? "document \(index + 1) (\(name))" : "\(kind) \(name)"
            guard allowedKinds.contains(kind) else {
                return "\(object) is not an allowed kind; a promotion may write only \(allowedKinds.joined(separator: ", ")) "
                    + "(deploy.allowed_kinds in the server config)"
            }
            if let written = metadata?["namespace"]?.string, written != namespace {
                return "\(object) names namespace '\(written)', but "
                    + (namespace.map { "this environment's namespace is '\($0)' (\(namespaceKey))" }
                        ?? "this environment sets none (\(namespaceKey)), so objects may not name one")
            }
            if let (key, what) = Self.hostAccess(in: document) {
                return "\(object) \(what) (\(key)); a promotion may not give a pod its node"
            }
        }
        return nil
    }

    /// The first host-access field set anywhere in `node` to something other than false or empty.
    private static func hostAccess(in node: Node) -> (String, String)? {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let name = key.string, let found = hostAccessKeys.first(where: { $0.key == name }), grants(value) {
                    return found
                }
                if let found = hostAccess(in: value) { return found }
            }
            return nil
        case .sequence(let sequence):
            return sequence.lazy.compactMap(hostAccess(in:)).first
        case .scalar, .alias:
            return nil
        }
    }

    private static func grants(_ value: Node) -> Bool {
        if let flag = value.bool { return flag }
        if let text = value.string { return !text.isEmpty && text != "0" }
        return true
    }

    /// An RFC 1123 label, as a namespace name must be.
    static func isNamespaceName(_ text: String) -> Bool {
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        guard let first = text.first, let last = text.last, text.count <= 63, text.allSatisfy(allowed) else { return false }
        return first != "-" && last != "-"
    }
}
