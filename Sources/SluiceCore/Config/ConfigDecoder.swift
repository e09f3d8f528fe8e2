import Foundation
import Yams

/// Walks the YAML node tree of a server config and builds a `ServerConfig`, collecting every
/// problem on the way.
///
/// The generic walking (schema check, scalars, positions, did-you-mean) is `YAMLReader`'s; this
/// type holds the server config's schema and checks. Every method that returns nil has reported
/// why, so `decode` yields a config only when `problems` is empty. Messages never echo a secret,
/// nor a value from an `_env` key that is not a variable name (an operator may have pasted the
/// secret there), nor a URL (it may hold credentials).
struct ConfigDecoder {
    let environment: [String: String]
    let baseDirectory: URL
    private var reader: YAMLReader

    init(file: String, environment: [String: String], baseDirectory: URL) {
        self.environment = environment
        self.baseDirectory = baseDirectory
        self.reader = YAMLReader(file: file)
    }

    var problems: [ConfigProblem] { reader.problems }

    /// Problems in document order; those without a position first.
    var sortedProblems: [ConfigProblem] { reader.sortedProblems }

    // MARK: - Schema

    static let rootKeys = [
        "listen", "public_url", "state_dir", "max_body_bytes", "projects", "deploy", "datasets",
        "data_sources", "alertmanager", "executor", "auth", "metrics", "data_folders",
        "store", "artifacts",
    ]
    static let projectKeys = [
        "name", "forge", "repo", "webhook_secret_env", "signing_secret_env", "token_env", "branches", "models",
        "step_secrets_env", "api_url", "maintainers", "environments", "gate", "network",
    ]
    static let environmentKeys = ["name", "auto", "approvals", "approvers", "allow_self_approval", "branches", "namespace"]
    static let deployKeys = ["repo", "branch", "path", "token_env", "username", "allowed_kinds"]
    static let datasetKeys = ["name", "match"]
    static let dataSourceKeys = ["name", "kind", "bearer_token_env", "hmac_secret_env"]
    static let alertmanagerKeys = ["bearer_token_env"]
    static let executorKeys = ["kind", "max_parallel", "sandbox", "shutdown_grace", "lease"]
    static let authKeys = ["tokens_env", "artifact_token_env"]
    static let metricsKeys = ["token_env", "allow"]
    static let storeKeys = ["url_env"]
    static let artifactsKeys = ["path", "s3"]
    static let s3Keys = ["endpoint", "bucket", "prefix", "region", "access_key_env", "secret_key_env"]

    // MARK: - Document

    /// Only `state_dir`, `store` and `artifacts`, for offline maintenance of the store: of the
    /// server's environment variables, it reads only the database URL and the bucket's keys.
    mutating func decodeStoreLocation(_ yaml: String) -> StoreLocation? {
        guard let root = root(yaml), let stateDirectory = stateDirectory(root["state_dir"]) else { return nil }
        let database = root["store"].flatMap { postgres($0, path: "store") }
        let artifacts = root["artifacts"].map { artifactsLocation($0, path: "artifacts") }
        return StoreLocation(
            stateDirectory: stateDirectory, postgres: database, artifactsDirectory: artifacts?.directory,
            artifactBucket: artifacts?.bucket)
    }

    mutating func decode(_ yaml: String) -> ServerConfig? {
        guard let root = root(yaml) else { return nil }

        let listen = root["listen"].flatMap { listenAddress($0, path: "listen") } ?? .default
        let publicURL = root["public_url"].flatMap { httpURL($0, path: "public_url") }
        let stateDirectory = stateDirectory(root["state_dir"])
        let maxBodyBytes = root["max_body_bytes"].flatMap {
            reader.integer($0, path: "max_body_bytes", in: 1...Int.max, expected: "a positive number of bytes")
        } ?? ServerConfig.defaultMaxBodyBytes
        let projects = self.projects(root)
        let deploy = root["deploy"].flatMap { self.deploy($0, path: "deploy") }
        let datasets = self.datasets(root["datasets"])
        let dataSources = self.dataSources(root["data_sources"])
        let alertmanager = root["alertmanager"].flatMap { self.alertmanager($0, path: "alertmanager") }
        let executor = root["executor"].flatMap { self.executor($0, path: "executor") } ?? ExecutorConfig()
        let auth = root["auth"].flatMap { self.auth($0, path: "auth") }
        let metrics = root["metrics"].flatMap { self.metrics($0, path: "metrics") }
        let dataFolders = root["data_folders"].map { self.dataFolders($0, path: "data_folders") } ?? []
        let postgres = root["store"].flatMap { self.postgres($0, path: "store") }
        let artifacts = root["artifacts"].map { artifactsLocation($0, path: "artifacts") }
        checkSomeoneCanApprove(projects, root: root, auth: auth)

        guard problems.isEmpty, let stateDirectory else { return nil }
        return ServerConfig(
            listen: listen,
            publicURL: publicURL,
            stateDirectory: stateDirectory,
            maxBodyBytes: maxBodyBytes,
            projects: projects,
            deploy: deploy,
            datasets: datasets,
            dataSources: dataSources,
            alertmanager: alertmanager,
            executor: executor,
            auth: auth,
            metrics: metrics,
            dataFolders: dataFolders,
            postgres: postgres,
            artifactsDirectory: artifacts?.directory,
            artifactBucket: artifacts?.bucket
        )
    }

    /// Reports a protected environment that lists no approvers while `auth` holds fewer
    /// release-manager or admin tokens than it needs approvals: its promotions would wait forever.
    private mutating func checkSomeoneCanApprove(_ projects: [ProjectConfig], root: YAMLFields, auth: AuthConfig?) {
        let managers = auth?.releaseManagers.count ?? 0
        for (index, project) in projects.enumerated() {
            for (position, environment) in project.environments.enumerated()
            where environment.approvers.isEmpty && environment.approvals > managers {
                reader.report(
                    .invalidValue, at: root["projects"]?.sequence?[index].mapping?["environments"]?.sequence?[position].mark,
                    "projects[\(index)].environments[\(position)].approvers",
                    "\(environment.name) needs \(environment.approvals) approval(s) and lists no approvers, so release managers decide, but "
                        + (auth == nil ? "there is no auth section" : "auth.tokens_env holds only \(managers) release-manager or admin token(s)")
                        + "; list forge logins in approvers")
            }
        }
    }

    /// The document's top-level keys, unknown ones reported.
    private mutating func root(_ yaml: String) -> YAMLFields? {
        guard let document = reader.compose(yaml, ifEmpty: "projects", "the file is empty; at least one project is required") else {
            return nil
        }
        return reader.fields(document, path: "", known: Self.rootKeys)
    }

    // MARK: - Sections

    private mutating func projects(_ root: YAMLFields) -> [ProjectConfig] {
        guard let node = root["projects"] else {
            reader.report(.missingKey, at: root.mark, "projects", "required: list at least one project")
            return []
        }
        guard let items = reader.list(node, path: "projects") else { return [] }
        if items.isEmpty {
            reader.report(.invalidValue, at: node.mark, "projects", "list at least one project")
        }
        var result: [ProjectConfig] = []
        var names: [String: YAMLReader.FirstUse] = [:]
        var owners: [String: (index: Int, project: String)] = [:]
        for (index, item) in items.enumerated() {
            let path = "projects[\(index)]"
            let nameNode = item.mapping?["name"]
            reader.checkUnique(nameNode, path: path, kind: "project", list: "projects", index: index, seen: &names)
            guard let project = project(item, path: path) else { continue }
            let modelsNode = item.mapping?["models"]
            for model in project.models {
                if let owner = owners[model], owner.index != index {
                    let position = modelsNode?.sequence?.first(where: { $0.scalar?.string == model })?.mark ?? nameNode?.mark
                    reader.report(.duplicate, at: position, "\(path).models", "model '\(model)' is already owned by projects[\(owner.index)] ('\(owner.project)'); a model has one owner")
                } else {
                    owners[model] = (index, project.name)
                }
            }
            result.append(project)
        }
        return result
    }

    private mutating func project(_ node: Node, path: String) -> ProjectConfig? {
        guard let fields = reader.fields(node, path: path, known: Self.projectKeys) else { return nil }
        let name = reader.required(fields, "name", "a project name").flatMap { reader.name($0, path: "\(path).name") }
        let forge: ForgeKind? = reader.required(fields, "forge", "one of \(YAMLReader.choices(ForgeKind.self))").flatMap {
            reader.choice($0, path: "\(path).forge", what: "forge")
        }
        let repo = reader.required(fields, "repo", "the repository's clone URL").flatMap { repoURL($0, path: "\(path).repo") }

        var webhookSecret: Secret?
        if let forge, forge != .generic {
            webhookSecret = secret(fields, "webhook_secret_env", required: "required for \(forge.rawValue) projects")
        } else if fields.has("webhook_secret_env") {
            webhookSecret = secret(fields, "webhook_secret_env", required: nil)
        }

        var signingSecret: Secret?
        if fields.has("signing_secret_env") {
            if let forge, forge != .gitlab {
                reader.report(.conflict, at: fields.keyMark("signing_secret_env"), "\(path).signing_secret_env", "only gitlab projects have a signing secret; this project's forge is \(forge.rawValue)")
            } else {
                signingSecret = secret(fields, "signing_secret_env", required: nil)
            }
        }
        let token = secret(fields, "token_env", required: nil)

        var branches: [String]?
        if let node = fields["branches"] {
            branches = reader.stringList(node, path: "\(path).branches")
            if branches?.isEmpty == true {
                reader.report(.invalidValue, at: node.mark, "\(path).branches", "list at least one branch, or omit the key to watch every branch")
            }
        }

        var models: [String]?
        if let node = fields["models"], let items = reader.list(node, path: "\(path).models") {
            var names: [String] = []
            for (index, item) in items.enumerated() {
                guard let model = reader.name(item, path: "\(path).models[\(index)]") else { continue }
                if names.contains(model) {
                    reader.report(.duplicate, at: item.mark, "\(path).models[\(index)]", "model '\(model)' is listed twice")
                } else {
                    names.append(model)
                }
            }
            if items.isEmpty {
                reader.report(.invalidValue, at: node.mark, "\(path).models", "list at least one model, or omit the key to own the model named like the project")
            }
            models = names
        }

        var stepSecrets: [String: Secret] = [:]
        if let node = fields["step_secrets_env"] {
            stepSecrets = readStepSecrets(node, path: "\(path).step_secrets_env")
        }

        let apiURL = fields["api_url"].flatMap { httpURL($0, path: "\(path).api_url") }
        if fields.has("api_url"), forge == .generic {
            reader.report(.conflict, at: fields.keyMark("api_url"), "\(path).api_url", "generic projects have no forge API to report to")
        }
        let maintainers = fields["maintainers"].flatMap { reader.stringList($0, path: "\(path).maintainers") } ?? []
        let environments = fields["environments"].map { self.environments($0, path: "\(path).environments") } ?? []
        let gate = fields["gate"].map { reader.gateRules($0, path: "\(path).gate") } ?? []
        let network = fields["network"].flatMap { reader.boolean($0, path: "\(path).network") } ?? true

        guard let name, let forge, let repo else { return nil }
        return ProjectConfig(
            name: name,
            forge: forge,
            repo: repo,
            webhookSecret: webhookSecret,
            signingSecret: signingSecret,
            token: token,
            branches: branches,
            models: models,
            stepSecrets: stepSecrets,
            apiURL: apiURL?.absoluteString,
            maintainers: maintainers,
            environments: environments,
            gate: gate,
            network: network
        )
    }

    /// `projects[].environments`: the only place promotion policy is written. An environment is
    /// either `auto` or needs at least one approval (one when `approvals` is left out).
    private mutating func environments(_ node: Node, path: String) -> [EnvironmentPolicy] {
        guard let items = reader.list(node, path: path) else { return [] }
        var result: [EnvironmentPolicy] = []
        var names: [String: YAMLReader.FirstUse] = [:]
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let fields = reader.fields(item, path: itemPath, known: Self.environmentKeys) else { continue }
            let name = reader.required(fields, "name", "the environment's name, as in name: production").flatMap {
                reader.name($0, path: fields.child("name"))
            }
            reader.checkUnique(fields["name"], path: itemPath, kind: "environment", list: path, index: index, seen: &names)
            let auto = fields["auto"].flatMap { reader.boolean($0, path: fields.child("auto")) } ?? false
            let allowSelfApproval = fields["allow_self_approval"].flatMap {
                reader.boolean($0, path: fields.child("allow_self_approval"))
            } ?? false
            var approvals = fields["approvals"].flatMap {
                reader.integer($0, path: fields.child("approvals"), in: 0...Int.max, expected: "how many distinct approvers must approve, 1 or more")
            } ?? (auto ? 0 : 1)
            if auto, approvals > 0 {
                reader.report(.conflict, at: fields.keyMark("approvals"), fields.child("approvals"), "auto: true promotes without approval; remove approvals or set auto: false")
                approvals = 0
            } else if !auto, approvals == 0 {
                reader.report(.invalidValue, at: fields.keyMark("approvals"), fields.child("approvals"), "a protected environment needs at least 1 approval; write auto: true to promote without one")
            }
            let approvers = fields["approvers"].flatMap { self.logins($0, path: fields.child("approvers")) } ?? []
            if !approvers.isEmpty, approvals > approvers.count {
                reader.report(.invalidValue, at: fields.keyMark("approvals"), fields.child("approvals"), "needs \(approvals) distinct approvals but approvers lists only \(approvers.count); add forge logins to approvers or lower approvals")
            }
            var branches: [String]?
            if let node = fields["branches"] {
                branches = reader.stringList(node, path: fields.child("branches"))
                if branches?.isEmpty == true {
                    reader.report(.invalidValue, at: node.mark, fields.child("branches"), "list at least one branch, or omit the key to admit every release branch")
                }
            }
            let namespace = fields["namespace"].flatMap { self.namespace($0, path: fields.child("namespace")) }
            guard let name else { continue }
            result.append(
                EnvironmentPolicy(
                    name: name, auto: auto, approvals: approvals, approvers: approvers, allowSelfApproval: allowSelfApproval,
                    branches: branches, namespace: namespace))
        }
        return result
    }

    /// Distinct forge logins (compared without case, as forges do).
    private mutating func logins(_ node: Node, path: String) -> [String]? {
        guard let items = reader.list(node, path: path) else { return nil }
        var logins: [String] = []
        for (index, item) in items.enumerated() {
            guard let login = reader.string(item, path: "\(path)[\(index)]") else { continue }
            if logins.contains(where: { Login.same($0, login) }) {
                reader.report(.duplicate, at: item.mark, "\(path)[\(index)]", "'\(login)' is listed twice")
            } else {
                logins.append(login)
            }
        }
        return logins
    }

    /// A Kubernetes namespace name (an RFC 1123 label).
    private mutating func namespace(_ node: Node, path: String) -> String? {
        guard let text = reader.string(node, path: path) else { return nil }
        guard ManifestPolicy.isNamespaceName(text) else {
            reader.report(.invalidValue, at: node.mark, path, "'\(text)' is not a namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit")
            return nil
        }
        return text
    }

    /// `step_secrets_env`: step variable → the server's environment variable holding its value.
    private mutating func readStepSecrets(_ node: Node, path: String) -> [String: Secret] {
        var secrets: [String: Secret] = [:]
        for entry in reader.entries(node, path: path, expected: "step variables to environment variable names") ?? [] {
            let entryPath = "\(path).\(entry.name)"
            guard YAMLReader.isVariableName(entry.name), !entry.name.hasPrefix("SLUICE_") else {
                reader.report(.invalidValue, at: entry.key.mark, entryPath, "a step variable name (letters, digits and '_', not starting with SLUICE_)")
                continue
            }
            guard let variable = reader.string(entry.value, path: entryPath) else { continue }
            guard YAMLReader.isVariableName(variable) else {
                reader.report(.invalidValue, at: entry.value.mark, entryPath, "expected the name of an environment variable (letters, digits and '_'); the secret itself never goes in this file")
                continue
            }
            guard let value = environment[variable], !value.isEmpty else {
                reader.report(.missingEnvironmentVariable, at: entry.value.mark, entryPath, "environment variable \(variable) (named by \(entryPath)) is not set or empty")
                continue
            }
            secrets[entry.name] = Secret(value)
        }
        return secrets
    }

    private mutating func deploy(_ node: Node, path: String) -> DeployConfig? {
        guard let fields = reader.fields(node, path: path, known: Self.deployKeys) else { return nil }
        let repo = reader.required(fields, "repo", "the deploy repository's clone URL").flatMap {
            repoURL($0, path: "\(path).repo")
        }
        let branch = fields["branch"].flatMap { reader.branch($0, path: "\(path).branch") } ?? DeployConfig.defaultBranch
        var template = DeployConfig.defaultPath
        if let node = fields["path"], let value = reader.string(node, path: "\(path).path") {
            template = value
            checkManifestPath(value, at: node, path: "\(path).path")
        }
        let token = secret(fields, "token_env", required: nil)
        let username = fields["username"].flatMap { reader.string($0, path: "\(path).username") } ?? DeployConfig.defaultUsername
        var allowedKinds = DeployConfig.defaultAllowedKinds
        if let node = fields["allowed_kinds"], let kinds = reader.stringList(node, path: "\(path).allowed_kinds") {
            if kinds.isEmpty {
                reader.report(.invalidValue, at: node.mark, "\(path).allowed_kinds", "list at least one kind, or omit the key for \(DeployConfig.defaultAllowedKinds.joined(separator: ", "))")
            }
            allowedKinds = kinds
        }
        guard let repo else { return nil }
        return DeployConfig(repo: repo, branch: branch, path: template, token: token, username: username, allowedKinds: allowedKinds)
    }

    private mutating func checkManifestPath(_ value: String, at node: Node, path: String) {
        reader.checkRelativePath(value, at: node, path: path, inside: "the deploy repository")
        let missing = ["{environment}", "{model}"].filter { !value.contains($0) }
        if !missing.isEmpty {
            reader.report(.invalidValue, at: node.mark, path, "must contain \(missing.joined(separator: " and ")), as in \(DeployConfig.defaultPath)")
        }
    }

    private mutating func datasets(_ node: Node?) -> [DatasetConfig] {
        guard let node, let items = reader.list(node, path: "datasets") else { return [] }
        var result: [DatasetConfig] = []
        var names: [String: YAMLReader.FirstUse] = [:]
        for (index, item) in items.enumerated() {
            let path = "datasets[\(index)]"
            guard let fields = reader.fields(item, path: path, known: Self.datasetKeys) else { continue }
            let name = reader.required(fields, "name", "a dataset name").flatMap { reader.string($0, path: "\(path).name") }
            let match = reader.required(fields, "match", "a glob over object URIs, as in s3://lake/transactions/*").flatMap {
                reader.string($0, path: "\(path).match")
            }
            reader.checkUnique(fields["name"], path: path, kind: "dataset", list: "datasets", index: index, seen: &names)
            guard let name, let match else { continue }
            result.append(DatasetConfig(name: name, match: match))
        }
        return result
    }

    private mutating func dataSources(_ node: Node?) -> [DataSourceConfig] {
        guard let node, let items = reader.list(node, path: "data_sources") else { return [] }
        var result: [DataSourceConfig] = []
        var names: [String: YAMLReader.FirstUse] = [:]
        for (index, item) in items.enumerated() {
            let path = "data_sources[\(index)]"
            guard let fields = reader.fields(item, path: path, known: Self.dataSourceKeys) else { continue }
            let name = reader.required(fields, "name", "a data source name").flatMap { reader.name($0, path: "\(path).name") }
            let kind: DataSourceKind? = reader.required(fields, "kind", "one of \(YAMLReader.choices(DataSourceKind.self))").flatMap {
                reader.choice($0, path: "\(path).kind", what: "data source kind")
            }
            var credential: DataSourceCredential?
            switch (fields.has("bearer_token_env"), fields.has("hmac_secret_env")) {
            case (true, true):
                reader.report(.conflict, at: fields.keyMark("hmac_secret_env"), "\(path).hmac_secret_env", "set only one of bearer_token_env or hmac_secret_env")
            case (true, false):
                credential = secret(fields, "bearer_token_env", required: nil).map(DataSourceCredential.bearerToken)
            case (false, true):
                credential = secret(fields, "hmac_secret_env", required: nil).map(DataSourceCredential.hmacSecret)
            case (false, false):
                reader.report(.missingKey, at: fields.mark, path, "needs one of bearer_token_env or hmac_secret_env, so its notifications can be verified")
            }
            reader.checkUnique(fields["name"], path: path, kind: "data source", list: "data_sources", index: index, seen: &names)
            guard let name, let kind, let credential else { continue }
            result.append(DataSourceConfig(name: name, kind: kind, credential: credential))
        }
        return result
    }

    private mutating func alertmanager(_ node: Node, path: String) -> AlertmanagerConfig? {
        guard let fields = reader.fields(node, path: path, known: Self.alertmanagerKeys) else { return nil }
        return secret(fields, "bearer_token_env", required: "required, Alertmanager sends it as a bearer token")
            .map(AlertmanagerConfig.init(bearerToken:))
    }

    private mutating func executor(_ node: Node, path: String) -> ExecutorConfig? {
        guard let fields = reader.fields(node, path: path, known: Self.executorKeys) else { return nil }
        var executor = ExecutorConfig()
        if let node = fields["kind"], let kind: ExecutorKind = reader.choice(node, path: "\(path).kind", what: "executor kind") {
            executor.kind = kind
        }
        if let node = fields["max_parallel"], let value = reader.integer(
            node, path: "\(path).max_parallel", in: ExecutorConfig.maxParallelRange, expected: "a number of runs from 1 to 64"
        ) {
            executor.maxParallel = value
        }
        if let node = fields["sandbox"], let sandbox: SandboxMode = reader.choice(node, path: "\(path).sandbox", what: "sandbox") {
            executor.sandbox = sandbox
        }
        if let node = fields["shutdown_grace"], let grace = duration(node, path: "\(path).shutdown_grace") {
            executor.shutdownGrace = grace
        }
        if let node = fields["lease"], let lease = duration(node, path: "\(path).lease") {
            if ExecutorConfig.leaseRange.contains(lease) {
                executor.lease = lease
            } else {
                reader.report(.invalidValue, at: node.mark, "\(path).lease", "must be from 3s to 1h, as in 15s or 2m")
            }
        }
        return executor
    }

    /// A duration written as in a spec (90s, 10m, 1h30m), or nil with the problem reported.
    private mutating func duration(_ node: Node, path: String) -> Duration? {
        guard let text = reader.string(node, path: path) else { return nil }
        switch Duration.parse(specText: text) {
        case .success(let duration): return duration
        case .failure(let invalid):
            reader.report(.invalidValue, at: node.mark, path, invalid.reason)
            return nil
        }
    }

    private mutating func auth(_ node: Node, path: String) -> AuthConfig? {
        guard let fields = reader.fields(node, path: path, known: Self.authKeys) else { return nil }
        let keyPath = "\(path).tokens_env"
        guard let (variable, value) = environmentValue(fields, "tokens_env", required: "required: the variable holding name:role:token entries") else {
            return nil
        }
        let mark = fields.keyMark("tokens_env")
        var tokens: [APIToken] = []
        var firstEntryByName: [String: Int] = [:]
        let entries = value.split(whereSeparator: { $0 == "," || $0.isNewline })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        // Problems name an entry by its position only: any part of a malformed entry may be a token.
        for (offset, entry) in entries.enumerated() {
            let number = offset + 1
            let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, !parts[0].isEmpty, !parts[2].isEmpty else {
                reader.report(.invalidValue, at: mark, keyPath, "entry \(number) of environment variable \(variable) is not name:role:token")
                continue
            }
            guard let role = APIRole(rawValue: parts[1]) else {
                reader.report(.invalidValue, at: mark, keyPath, "entry \(number) of environment variable \(variable) has an unknown role; expected one of \(YAMLReader.choices(APIRole.self))")
                continue
            }
            if let first = firstEntryByName[parts[0]] {
                reader.report(.duplicate, at: mark, keyPath, "entries \(first) and \(number) of environment variable \(variable) have the same name")
                continue
            }
            firstEntryByName[parts[0]] = number
            tokens.append(APIToken(name: parts[0], role: role, token: Secret(parts[2])))
        }
        if entries.isEmpty {
            reader.report(.invalidValue, at: mark, keyPath, "environment variable \(variable) holds no name:role:token entries")
        }
        let artifactToken = secret(fields, "artifact_token_env", required: nil)
        return AuthConfig(tokensVariable: variable, tokens: tokens, artifactToken: artifactToken)
    }

    private mutating func metrics(_ node: Node, path: String) -> MetricsConfig? {
        guard let fields = reader.fields(node, path: path, known: Self.metricsKeys) else { return nil }
        let token = secret(fields, "token_env", required: nil)
        var allow: [AddressRange] = []
        if let node = fields["allow"], let items = reader.list(node, path: "\(path).allow") {
            for (index, item) in items.enumerated() {
                guard let text = reader.string(item, path: "\(path).allow[\(index)]") else { continue }
                guard let range = AddressRange(text) else {
                    reader.report(.invalidValue, at: item.mark, "\(path).allow[\(index)]", "'\(text)' is not an IP address or CIDR range, as in 10.0.0.0/8 or ::1")
                    continue
                }
                allow.append(range)
            }
        }
        if !fields.has("token_env"), !fields.has("allow") {
            reader.report(.missingKey, at: fields.mark, path, "set token_env, allow, or both; without them, remove metrics to let API tokens scrape")
        }
        return MetricsConfig(token: token, allow: allow)
    }

    /// `store`: the PostgreSQL server whose URL the variable `url_env` names.
    private mutating func postgres(_ node: Node, path: String) -> PostgresLocation? {
        guard let fields = reader.fields(node, path: path, known: Self.storeKeys),
            let (variable, url) = environmentValue(fields, "url_env", required: "set url_env to the environment variable that holds the postgres:// URL, or remove store to keep SQLite in state_dir")
        else { return nil }
        switch PostgresLocation.parse(url) {
        case .success(let location):
            return location
        case .failure(let invalid):
            reader.report(.invalidValue, at: fields.keyMark("url_env"), fields.child("url_env"), "environment variable \(variable) does not hold a usable database URL: \(invalid.reason)")
            return nil
        }
    }

    /// `artifacts`: either `path`, the folder (absolute or relative to the config file) holding
    /// artifact blobs, or `s3`, the bucket holding them.
    private mutating func artifactsLocation(_ node: Node, path: String) -> (directory: URL?, bucket: S3Location?) {
        guard let fields = reader.fields(node, path: path, known: Self.artifactsKeys) else { return (nil, nil) }
        switch (fields["path"], fields["s3"]) {
        case (let folderNode?, nil):
            return (reader.string(folderNode, path: fields.child("path")).map(folder), nil)
        case (nil, let bucketNode?):
            return (nil, s3(bucketNode, path: fields.child("s3")))
        case (_?, _?):
            reader.report(.invalidValue, at: fields.mark, path, "set either path (a folder every replica mounts) or s3 (a bucket they share), not both")
        case (nil, nil):
            reader.report(.missingKey, at: fields.mark, fields.child("path"), "set path to the folder that holds the artifacts (a volume every replica mounts) or s3 to a bucket, or remove artifacts to keep them in state_dir")
        }
        return (nil, nil)
    }

    /// `artifacts.s3`: the bucket, and the variables holding its keys.
    private mutating func s3(_ node: Node, path: String) -> S3Location? {
        guard let fields = reader.fields(node, path: path, known: Self.s3Keys) else { return nil }
        let endpoint = reader.required(fields, "endpoint", "the S3 service's URL, as in https://s3.eu-west-1.amazonaws.com")
            .flatMap { s3Endpoint($0, path: fields.child("endpoint")) }
        let bucket = reader.required(fields, "bucket", "the name of the bucket that holds the artifacts")
            .flatMap { checkedString($0, path: fields.child("bucket"), S3Location.problem(withBucket:)) }
        let prefix = fields["prefix"].map { checkedString($0, path: fields.child("prefix"), S3Location.problem(withPrefix:)) } ?? ""
        let region = fields["region"].map { checkedString($0, path: fields.child("region"), S3Location.problem(withRegion:)) }
            ?? "us-east-1"
        let accessKey = environmentValue(fields, "access_key_env", required: "set access_key_env to the environment variable that holds the access key id")
        let secretKey = secret(fields, "secret_key_env", required: "set secret_key_env to the environment variable that holds the secret access key")
        guard let endpoint, let bucket, let prefix, let region, let accessKey, let secretKey else { return nil }
        return S3Location(
            endpoint: endpoint, bucket: bucket, prefix: prefix, region: region, accessKeyID: accessKey.value,
            secretAccessKey: secretKey)
    }

    /// `artifacts.s3.endpoint`: an http(s) URL with nothing after its host and port.
    private mutating func s3Endpoint(_ node: Node, path: String) -> URL? {
        guard let url = httpURL(node, path: path) else { return nil }
        guard url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil, let scheme = url.scheme, let host = url.host
        else {
            reader.report(.invalidValue, at: node.mark, path, "expected the service's address alone, as in https://s3.eu-west-1.amazonaws.com; the bucket goes in bucket and key prefixes in prefix")
            return nil
        }
        return URL(string: "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")")
    }

    /// `node`'s string, unless `problem` finds something wrong with it, which is reported.
    private mutating func checkedString(_ node: Node, path: String, _ problem: (String) -> String?) -> String? {
        guard let text = reader.string(node, path: path) else { return nil }
        if let message = problem(text) {
            reader.report(.invalidValue, at: node.mark, path, message)
            return nil
        }
        return text
    }

    /// `data_folders`: absolute (or config-relative) folders, kept as the operator wrote them.
    private mutating func dataFolders(_ node: Node, path: String) -> [URL] {
        guard let items = reader.list(node, path: path) else { return [] }
        return items.enumerated().compactMap { index, item in
            reader.string(item, path: "\(path)[\(index)]").map(folder)
        }
    }

    // MARK: - Values

    private mutating func listenAddress(_ node: Node, path: String) -> ListenAddress? {
        guard let text = reader.string(node, path: path) else { return nil }
        switch ListenAddress.parse(text) {
        case let .success(address):
            return address
        case let .failure(invalid):
            reader.report(.invalidValue, at: node.mark, path, "'\(text)' is not a listen address: \(invalid.reason)")
            return nil
        }
    }

    private mutating func httpURL(_ node: Node, path: String) -> URL? {
        guard let text = reader.string(node, path: path) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            reader.report(.invalidValue, at: node.mark, path, "expected an http:// or https:// URL with a host, as in https://sluice.example.com")
            return nil
        }
        guard url.user == nil, url.password == nil else {
            reader.report(.invalidValue, at: node.mark, path, "must not contain a user name or password")
            return nil
        }
        return url
    }

    private mutating func repoURL(_ node: Node, path: String) -> String? {
        guard let text = reader.string(node, path: path) else { return nil }
        let lowered = text.lowercased()
        let expected = "expected an https://, http://, ssh://, file:// or git@host:path clone URL"
        if ["https://", "http://", "ssh://"].contains(where: lowered.hasPrefix) {
            guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
                reader.report(.invalidValue, at: node.mark, path, "\(expected); this one has no host")
                return nil
            }
            if url.password != nil || (url.user != nil && !lowered.hasPrefix("ssh://")) {
                reader.report(.invalidValue, at: node.mark, path, "must not contain credentials; name them with token_env instead")
                return nil
            }
            return text
        }
        if lowered.hasPrefix("file://") {
            guard let url = URL(string: text), !url.path.isEmpty else {
                reader.report(.invalidValue, at: node.mark, path, "\(expected); this file:// URL has no path")
                return nil
            }
            return text
        }
        if Self.isSCPLike(text) {
            return text
        }
        reader.report(.invalidValue, at: node.mark, path, expected)
        return nil
    }

    /// `user@host:path`, git's scp-like syntax for SSH.
    private static func isSCPLike(_ text: String) -> Bool {
        guard let at = text.firstIndex(of: "@") else { return false }
        let user = text[..<at]
        let rest = text[text.index(after: at)...]
        guard let colon = rest.firstIndex(of: ":") else { return false }
        let host = rest[..<colon]
        let repoPath = rest[rest.index(after: colon)...]
        let bad: (Character) -> Bool = { $0.isWhitespace || $0 == "/" }
        return !user.isEmpty && !user.contains(where: bad) && !host.isEmpty && !host.contains(where: bad)
            && !repoPath.isEmpty && !repoPath.contains(where: \.isWhitespace)
    }

    private mutating func stateDirectory(_ node: Node?) -> URL? {
        let path: String
        if let node {
            guard let value = reader.string(node, path: "state_dir") else { return nil }
            path = value
        } else {
            path = ServerConfig.defaultStateDirectory
        }
        return folder(path)
    }

    /// A folder the file names, absolute, with `~` expanded and relative paths taken from the
    /// config file's folder.
    private func folder(_ path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/")
            ? URL(fileURLWithPath: expanded, isDirectory: true)
            : URL(fileURLWithPath: expanded, isDirectory: true, relativeTo: baseDirectory)
        return url.absoluteURL.standardizedFileURL
    }

    // MARK: - Secrets

    /// Reads the secret held by the environment variable that `key` names.
    ///
    /// `required` is nil for an optional key, or the reason the key must be present.
    private mutating func secret(_ fields: YAMLFields, _ key: String, required: String?) -> Secret? {
        environmentValue(fields, key, required: required).map { Secret($0.value) }
    }

    private mutating func environmentValue(_ fields: YAMLFields, _ key: String, required: String?) -> (variable: String, value: String)? {
        let path = fields.child(key)
        guard let node = fields[key] else {
            if let required {
                reader.report(.missingKey, at: fields.mark, path, required)
            }
            return nil
        }
        guard let variable = reader.string(node, path: path) else { return nil }
        guard YAMLReader.isVariableName(variable) else {
            // Not echoed: a value that is not a variable name may be the secret itself.
            reader.report(.invalidValue, at: node.mark, path, "expected the name of an environment variable (letters, digits and '_'); the secret itself never goes in this file")
            return nil
        }
        guard let value = environment[variable] else {
            reader.report(.missingEnvironmentVariable, at: fields.keyMark(key), path, "environment variable \(variable) (named by \(path)) is not set")
            return nil
        }
        guard !value.isEmpty else {
            reader.report(.missingEnvironmentVariable, at: fields.keyMark(key), path, "environment variable \(variable) (named by \(path)) is set but empty")
            return nil
        }
        return (variable, value)
    }
}
