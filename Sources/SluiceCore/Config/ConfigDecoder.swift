import Foundation
import Yams

/// Walks the YAML node tree of a server config and builds a `ServerConfig`, collecting every
/// problem on the way.
///
/// Decoding by hand over `Yams.compose` (rather than `Codable`) is what lets each problem carry the
/// node's line and column and a key path like `projects[1].webhook_secret_env`, and lets decoding
/// carry on past the first problem. Every method that returns nil has reported why, so `decode`
/// yields a config only when `problems` is empty. Messages never echo a secret, nor a value from
/// an `_env` key that is not a variable name (an operator may have pasted the secret there), nor a
/// URL (it may hold credentials).
struct ConfigDecoder {
    let file: String
    let environment: [String: String]
    let baseDirectory: URL
    private(set) var problems: [ConfigProblem] = []

    init(file: String, environment: [String: String], baseDirectory: URL) {
        self.file = file
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    /// Problems in document order; those without a position first.
    var sortedProblems: [ConfigProblem] {
        let all = problems.isEmpty
            ? [ConfigProblem(.invalidValue, file: file, line: 0, column: 0, keyPath: "", message: "the config could not be decoded")]
            : problems
        return all.enumerated().sorted { lhs, rhs in
            (lhs.element.line, lhs.element.column, lhs.offset) < (rhs.element.line, rhs.element.column, rhs.offset)
        }.map(\.element)
    }

    // MARK: - Schema

    static let rootKeys = [
        "listen", "public_url", "state_dir", "max_body_bytes", "projects", "deploy", "datasets",
        "data_sources", "alertmanager", "executor", "auth",
    ]
    static let projectKeys = [
        "name", "forge", "repo", "webhook_secret_env", "signing_secret_env", "token_env", "branches", "models",
    ]
    static let deployKeys = ["repo", "branch", "path", "token_env"]
    static let datasetKeys = ["name", "match"]
    static let dataSourceKeys = ["name", "kind", "bearer_token_env", "hmac_secret_env"]
    static let alertmanagerKeys = ["bearer_token_env"]
    static let executorKeys = ["kind", "max_parallel", "sandbox"]
    static let authKeys = ["tokens_env"]

    // MARK: - Document

    mutating func decode(_ yaml: String) -> ServerConfig? {
        let document: Node?
        do {
            document = try Yams.compose(yaml: yaml)
        } catch {
            reportSyntax(error, in: yaml)
            return nil
        }
        guard let document else {
            report(.missingKey, at: nil, "projects", "the file is empty; at least one project is required")
            return nil
        }
        guard let root = fields(document, path: "", known: Self.rootKeys) else { return nil }

        let listen = root["listen"].flatMap { listenAddress($0, path: "listen") } ?? .default
        let publicURL = root["public_url"].flatMap { httpURL($0, path: "public_url") }
        let stateDirectory = stateDirectory(root["state_dir"])
        let maxBodyBytes = root["max_body_bytes"].flatMap {
            integer($0, path: "max_body_bytes", in: 1...Int.max, expected: "a positive number of bytes")
        } ?? ServerConfig.defaultMaxBodyBytes
        let projects = self.projects(root)
        let deploy = root["deploy"].flatMap { self.deploy($0, path: "deploy") }
        let datasets = self.datasets(root["datasets"])
        let dataSources = self.dataSources(root["data_sources"])
        let alertmanager = root["alertmanager"].flatMap { self.alertmanager($0, path: "alertmanager") }
        let executor = root["executor"].flatMap { self.executor($0, path: "executor") } ?? ExecutorConfig()
        let auth = root["auth"].flatMap { self.auth($0, path: "auth") }

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
            auth: auth
        )
    }

    private mutating func reportSyntax(_ error: any Error, in yaml: String) {
        guard let error = error as? YamlError else {
            report(.syntax, line: 0, column: 0, "", "invalid YAML")
            return
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at \(context.mark.line):\(context.mark.column))"
            }
            report(.syntax, line: mark.line, column: mark.column, "", message)
        case let .reader(problem, offset, _, _):
            let (line, column) = Self.lineAndColumn(ofCharacterOffset: offset ?? 0, in: yaml)
            report(.syntax, line: line, column: column, "", "unreadable text: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            report(.syntax, line: context.mark.line, column: context.mark.column, "", "duplicate key \(keys) in one mapping")
        default:
            report(.syntax, line: 0, column: 0, "", "invalid YAML")
        }
    }

    private static func lineAndColumn(ofCharacterOffset offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    // MARK: - Sections

    private mutating func projects(_ root: Fields) -> [ProjectConfig] {
        guard let node = root["projects"] else {
            report(.missingKey, at: root.mark, "projects", "required: list at least one project")
            return []
        }
        guard let items = list(node, path: "projects") else { return [] }
        if items.isEmpty {
            report(.invalidValue, at: node.mark, "projects", "list at least one project")
        }
        var result: [ProjectConfig] = []
        var names: [String: Int] = [:]
        var owners: [String: (index: Int, project: String)] = [:]
        for (index, item) in items.enumerated() {
            let path = "projects[\(index)]"
            let nameNode = item.mapping?["name"]
            checkUnique(nameNode, path: path, kind: "project", list: "projects", index: index, seen: &names)
            guard let project = project(item, path: path) else { continue }
            let modelsNode = item.mapping?["models"]
            for model in project.models {
                if let owner = owners[model], owner.index != index {
                    let position = modelsNode?.sequence?.first(where: { $0.scalar?.string == model })?.mark ?? nameNode?.mark
                    report(.duplicate, at: position, "\(path).models", "model '\(model)' is already owned by projects[\(owner.index)] ('\(owner.project)'); a model has one owner")
                } else {
                    owners[model] = (index, project.name)
                }
            }
            result.append(project)
        }
        return result
    }

    /// Reports a `name` already used by an earlier entry of the same list, even when other keys of
    /// either entry have problems of their own.
    private mutating func checkUnique(_ nameNode: Node?, path: String, kind: String, list: String, index: Int, seen: inout [String: Int]) {
        guard let name = nameNode?.scalar?.string, !name.isEmpty else { return }
        if let first = seen[name] {
            report(.duplicate, at: nameNode?.mark, "\(path).name", "\(kind) name '\(name)' is already used by \(list)[\(first)]")
        } else {
            seen[name] = index
        }
    }

    private mutating func project(_ node: Node, path: String) -> ProjectConfig? {
        guard let fields = fields(node, path: path, known: Self.projectKeys) else { return nil }
        let name = required(fields, "name", "a project name").flatMap { self.name($0, path: "\(path).name") }
        let forge: ForgeKind? = required(fields, "forge", "one of \(Self.choices(ForgeKind.self))").flatMap {
            choice($0, path: "\(path).forge", what: "forge")
        }
        let repo = required(fields, "repo", "the repository's clone URL").flatMap { repoURL($0, path: "\(path).repo") }

        var webhookSecret: Secret?
        if let forge, forge != .generic {
            webhookSecret = secret(fields, "webhook_secret_env", required: "required for \(forge.rawValue) projects")
        } else if fields.has("webhook_secret_env") {
            webhookSecret = secret(fields, "webhook_secret_env", required: nil)
        }

        var signingSecret: Secret?
        if fields.has("signing_secret_env") {
            if let forge, forge != .gitlab {
                report(.conflict, at: fields.keyMark("signing_secret_env"), "\(path).signing_secret_env", "only gitlab projects have a signing secret; this project's forge is \(forge.rawValue)")
            } else {
                signingSecret = secret(fields, "signing_secret_env", required: nil)
            }
        }
        let token = secret(fields, "token_env", required: nil)

        var branches: [String]?
        if let node = fields["branches"] {
            branches = stringList(node, path: "\(path).branches", what: "a branch name or glob")
            if branches?.isEmpty == true {
                report(.invalidValue, at: node.mark, "\(path).branches", "list at least one branch, or omit the key to watch every branch")
            }
        }

        var models: [String]?
        if let node = fields["models"], let items = list(node, path: "\(path).models") {
            var names: [String] = []
            for (index, item) in items.enumerated() {
                guard let model = self.name(item, path: "\(path).models[\(index)]") else { continue }
                if names.contains(model) {
                    report(.duplicate, at: item.mark, "\(path).models[\(index)]", "model '\(model)' is listed twice")
                } else {
                    names.append(model)
                }
            }
            if items.isEmpty {
                report(.invalidValue, at: node.mark, "\(path).models", "list at least one model, or omit the key to own the model named like the project")
            }
            models = names
        }

        guard let name, let forge, let repo else { return nil }
        return ProjectConfig(
            name: name,
            forge: forge,
            repo: repo,
            webhookSecret: webhookSecret,
            signingSecret: signingSecret,
            token: token,
            branches: branches,
            models: models
        )
    }

    private mutating func deploy(_ node: Node, path: String) -> DeployConfig? {
        guard let fields = fields(node, path: path, known: Self.deployKeys) else { return nil }
        let repo = required(fields, "repo", "the deploy repository's clone URL").flatMap {
            repoURL($0, path: "\(path).repo")
        }
        var branch = DeployConfig.defaultBranch
        if let node = fields["branch"], let value = string(node, path: "\(path).branch") {
            if value.contains(where: \.isWhitespace) {
                report(.invalidValue, at: node.mark, "\(path).branch", "a branch name cannot contain spaces")
            }
            branch = value
        }
        var template = DeployConfig.defaultPath
        if let node = fields["path"], let value = string(node, path: "\(path).path") {
            template = value
            checkManifestPath(value, at: node, path: "\(path).path")
        }
        let token = secret(fields, "token_env", required: nil)
        guard let repo else { return nil }
        return DeployConfig(repo: repo, branch: branch, path: template, token: token)
    }

    private mutating func checkManifestPath(_ value: String, at node: Node, path: String) {
        if value.hasPrefix("/") || value.hasPrefix("~") {
            report(.invalidValue, at: node.mark, path, "must be relative to the deploy repository's root, not absolute")
        }
        if value.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) || value.contains("\\") {
            report(.invalidValue, at: node.mark, path, "must stay inside the deploy repository: no '..' components or backslashes")
        }
        let missing = ["{environment}", "{model}"].filter { !value.contains($0) }
        if !missing.isEmpty {
            report(.invalidValue, at: node.mark, path, "must contain \(missing.joined(separator: " and ")), as in \(DeployConfig.defaultPath)")
        }
    }

    private mutating func datasets(_ node: Node?) -> [DatasetConfig] {
        guard let node, let items = list(node, path: "datasets") else { return [] }
        var result: [DatasetConfig] = []
        var names: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "datasets[\(index)]"
            guard let fields = fields(item, path: path, known: Self.datasetKeys) else { continue }
            let name = required(fields, "name", "a dataset name").flatMap { string($0, path: "\(path).name") }
            let match = required(fields, "match", "a glob over object URIs, as in s3://lake/transactions/*").flatMap {
                string($0, path: "\(path).match")
            }
            checkUnique(fields["name"], path: path, kind: "dataset", list: "datasets", index: index, seen: &names)
            guard let name, let match else { continue }
            result.append(DatasetConfig(name: name, match: match))
        }
        return result
    }

    private mutating func dataSources(_ node: Node?) -> [DataSourceConfig] {
        guard let node, let items = list(node, path: "data_sources") else { return [] }
        var result: [DataSourceConfig] = []
        var names: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "data_sources[\(index)]"
            guard let fields = fields(item, path: path, known: Self.dataSourceKeys) else { continue }
            let name = required(fields, "name", "a data source name").flatMap { self.name($0, path: "\(path).name") }
            let kind: DataSourceKind? = required(fields, "kind", "one of \(Self.choices(DataSourceKind.self))").flatMap {
                choice($0, path: "\(path).kind", what: "data source kind")
            }
            var credential: DataSourceCredential?
            switch (fields.has("bearer_token_env"), fields.has("hmac_secret_env")) {
            case (true, true):
                report(.conflict, at: fields.keyMark("hmac_secret_env"), "\(path).hmac_secret_env", "set only one of bearer_token_env or hmac_secret_env")
            case (true, false):
                credential = secret(fields, "bearer_token_env", required: nil).map(DataSourceCredential.bearerToken)
            case (false, true):
                credential = secret(fields, "hmac_secret_env", required: nil).map(DataSourceCredential.hmacSecret)
            case (false, false):
                report(.missingKey, at: fields.mark, path, "needs one of bearer_token_env or hmac_secret_env, so its notifications can be verified")
            }
            checkUnique(fields["name"], path: path, kind: "data source", list: "data_sources", index: index, seen: &names)
            guard let name, let kind, let credential else { continue }
            result.append(DataSourceConfig(name: name, kind: kind, credential: credential))
        }
        return result
    }

    private mutating func alertmanager(_ node: Node, path: String) -> AlertmanagerConfig? {
        guard let fields = fields(node, path: path, known: Self.alertmanagerKeys) else { return nil }
        return secret(fields, "bearer_token_env", required: "required, Alertmanager sends it as a bearer token")
            .map(AlertmanagerConfig.init(bearerToken:))
    }

    private mutating func executor(_ node: Node, path: String) -> ExecutorConfig? {
        guard let fields = fields(node, path: path, known: Self.executorKeys) else { return nil }
        var executor = ExecutorConfig()
        if let node = fields["kind"], let kind: ExecutorKind = choice(node, path: "\(path).kind", what: "executor kind") {
            executor.kind = kind
        }
        if let node = fields["max_parallel"], let value = integer(
            node, path: "\(path).max_parallel", in: ExecutorConfig.maxParallelRange, expected: "a number of runs from 1 to 64"
        ) {
            executor.maxParallel = value
        }
        if let node = fields["sandbox"], let sandbox: SandboxMode = choice(node, path: "\(path).sandbox", what: "sandbox") {
            executor.sandbox = sandbox
        }
        return executor
    }

    private mutating func auth(_ node: Node, path: String) -> AuthConfig? {
        guard let fields = fields(node, path: path, known: Self.authKeys) else { return nil }
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
                report(.invalidValue, at: mark, keyPath, "entry \(number) of environment variable \(variable) is not name:role:token")
                continue
            }
            guard let role = APIRole(rawValue: parts[1]) else {
                report(.invalidValue, at: mark, keyPath, "entry \(number) of environment variable \(variable) has an unknown role; expected one of \(Self.choices(APIRole.self))")
                continue
            }
            if let first = firstEntryByName[parts[0]] {
                report(.duplicate, at: mark, keyPath, "entries \(first) and \(number) of environment variable \(variable) have the same name")
                continue
            }
            firstEntryByName[parts[0]] = number
            tokens.append(APIToken(name: parts[0], role: role, token: Secret(parts[2])))
        }
        if entries.isEmpty {
            report(.invalidValue, at: mark, keyPath, "environment variable \(variable) holds no name:role:token entries")
        }
        return AuthConfig(tokensVariable: variable, tokens: tokens)
    }

    // MARK: - Values

    private mutating func listenAddress(_ node: Node, path: String) -> ListenAddress? {
        guard let text = string(node, path: path) else { return nil }
        switch ListenAddress.parse(text) {
        case let .success(address):
            return address
        case let .failure(invalid):
            report(.invalidValue, at: node.mark, path, "'\(text)' is not a listen address: \(invalid.reason)")
            return nil
        }
    }

    private mutating func httpURL(_ node: Node, path: String) -> URL? {
        guard let text = string(node, path: path) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            report(.invalidValue, at: node.mark, path, "expected an http:// or https:// URL with a host, as in https://sluice.example.com")
            return nil
        }
        guard url.user == nil, url.password == nil else {
            report(.invalidValue, at: node.mark, path, "must not contain a user name or password")
            return nil
        }
        return url
    }

    private mutating func repoURL(_ node: Node, path: String) -> String? {
        guard let text = string(node, path: path) else { return nil }
        let lowered = text.lowercased()
        let expected = "expected an https://, http://, ssh://, file:// or git@host:path clone URL"
        if ["https://", "http://", "ssh://"].contains(where: lowered.hasPrefix) {
            guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
                report(.invalidValue, at: node.mark, path, "\(expected); this one has no host")
                return nil
            }
            if url.password != nil || (url.user != nil && !lowered.hasPrefix("ssh://")) {
                report(.invalidValue, at: node.mark, path, "must not contain credentials; name them with token_env instead")
                return nil
            }
            return text
        }
        if lowered.hasPrefix("file://") {
            guard let url = URL(string: text), !url.path.isEmpty else {
                report(.invalidValue, at: node.mark, path, "\(expected); this file:// URL has no path")
                return nil
            }
            return text
        }
        if Self.isSCPLike(text) {
            return text
        }
        report(.invalidValue, at: node.mark, path, expected)
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
            guard let value = string(node, path: "state_dir") else { return nil }
            path = value
        } else {
            path = ServerConfig.defaultStateDirectory
        }
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/")
            ? URL(fileURLWithPath: expanded, isDirectory: true)
            : URL(fileURLWithPath: expanded, isDirectory: true, relativeTo: baseDirectory)
        return url.absoluteURL.standardizedFileURL
    }

    /// A name that appears in URLs: `[a-z0-9][a-z0-9._-]*`.
    private mutating func name(_ node: Node, path: String) -> String? {
        guard let text = string(node, path: path) else { return nil }
        let allowed: (Character) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) || ".-_".contains($0) }
        guard let first = text.first, ("a"..."z").contains(first) || ("0"..."9").contains(first),
            text.allSatisfy({ $0.isASCII && allowed($0) })
        else {
            report(.invalidValue, at: node.mark, path, "'\(text)' is not a valid name: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit (it appears in URLs)")
            return nil
        }
        return text
    }

    private mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ node: Node, path: String, what: String
    ) -> Choice? where Choice.RawValue == String {
        guard let text = string(node, path: path) else { return nil }
        if let value = Choice(rawValue: text) {
            return value
        }
        var message = "unknown \(what) '\(text)'; expected one of \(Self.choices(Choice.self))"
        if let suggestion = Self.suggestion(for: text, among: Choice.allCases.map(\.rawValue)) {
            message = "unknown \(what) '\(text)'; did you mean '\(suggestion)'? Expected one of \(Self.choices(Choice.self))"
        }
        report(.invalidValue, at: node.mark, path, message)
        return nil
    }

    private static func choices<Choice: RawRepresentable & CaseIterable>(_: Choice.Type) -> String where Choice.RawValue == String {
        Choice.allCases.map(\.rawValue).joined(separator: ", ")
    }

    private mutating func integer(_ node: Node, path: String, in range: ClosedRange<Int>, expected: String) -> Int? {
        guard let scalar = node.scalar, Self.hasTag(node, .int), let value = Int(scalar.string) else {
            report(.wrongType, at: node.mark, path, "expected an integer (\(expected)), got \(Self.describe(node))")
            return nil
        }
        guard range.contains(value) else {
            report(.invalidValue, at: node.mark, path, "\(value) is out of range; expected \(expected)")
            return nil
        }
        return value
    }

    private mutating func string(_ node: Node, path: String) -> String? {
        guard let scalar = node.scalar, !Self.hasTag(node, .null) else {
            report(.wrongType, at: node.mark, path, "expected a string, got \(Self.describe(node))")
            return nil
        }
        guard !scalar.string.trimmingCharacters(in: .whitespaces).isEmpty else {
            report(.invalidValue, at: node.mark, path, "must not be empty")
            return nil
        }
        return scalar.string
    }

    private mutating func list(_ node: Node, path: String) -> [Node]? {
        guard let sequence = node.sequence else {
            report(.wrongType, at: node.mark, path, "expected a list, got \(Self.describe(node))")
            return nil
        }
        return Array(sequence)
    }

    private mutating func stringList(_ node: Node, path: String, what: String) -> [String]? {
        guard let items = list(node, path: path) else { return nil }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            if let text = string(item, path: "\(path)[\(index)]") {
                result.append(text)
            }
        }
        return result.count == items.count ? result : nil
    }

    // MARK: - Secrets

    /// Reads the secret held by the environment variable that `key` names.
    ///
    /// `required` is nil for an optional key, or the reason the key must be present.
    private mutating func secret(_ fields: Fields, _ key: String, required: String?) -> Secret? {
        environmentValue(fields, key, required: required).map { Secret($0.value) }
    }

    private mutating func environmentValue(_ fields: Fields, _ key: String, required: String?) -> (variable: String, value: String)? {
        let path = fields.child(key)
        guard let node = fields[key] else {
            if let required {
                report(.missingKey, at: fields.mark, path, required)
            }
            return nil
        }
        guard let variable = string(node, path: path) else { return nil }
        let isName = variable.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && variable.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        guard isName else {
            // Not echoed: a value that is not a variable name may be the secret itself.
            report(.invalidValue, at: node.mark, path, "expected the name of an environment variable (letters, digits and '_'); the secret itself never goes in this file")
            return nil
        }
        guard let value = environment[variable] else {
            report(.missingEnvironmentVariable, at: fields.keyMark(key), path, "environment variable \(variable) (named by \(path)) is not set")
            return nil
        }
        guard !value.isEmpty else {
            report(.missingEnvironmentVariable, at: fields.keyMark(key), path, "environment variable \(variable) (named by \(path)) is set but empty")
            return nil
        }
        return (variable, value)
    }

    // MARK: - Mappings

    /// The keys of one mapping, checked against the schema; a null value counts as absent.
    struct Fields {
        let path: String
        let mark: Mark?
        let entries: [String: (key: Node, value: Node)]

        subscript(key: String) -> Node? {
            guard let value = entries[key]?.value, !ConfigDecoder.hasTag(value, .null) || value.scalar == nil else { return nil }
            return value
        }

        func has(_ key: String) -> Bool { self[key] != nil }

        func keyMark(_ key: String) -> Mark? { entries[key]?.key.mark ?? mark }

        func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    }

    private mutating func fields(_ node: Node, path: String, known: [String]) -> Fields? {
        guard let mapping = node.mapping else {
            let what = path.isEmpty ? "the document" : path
            report(.wrongType, at: node.mark, path, "expected a mapping for \(what) (keys: \(known.joined(separator: ", "))), got \(Self.describe(node))")
            return nil
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                report(.wrongType, at: key.mark, path, "expected a key name, got \(Self.describe(key))")
                continue
            }
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            guard known.contains(name) else {
                var message = "unknown key"
                if let suggestion = Self.suggestion(for: name, among: known) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; expected one of \(known.joined(separator: ", "))"
                }
                report(.unknownKey, at: key.mark, keyPath, message)
                continue
            }
            entries[name] = (key, value)
        }
        return Fields(path: path, mark: node.mark, entries: entries)
    }

    /// Whether the resolver typed a node as `name` (a plain `~` is null, a quoted `"~"` a string).
    static func hasTag(_ node: Node, _ name: Tag.Name) -> Bool {
        node.tag.description == name.rawValue
    }

    /// The value of a required key, or nil after reporting it missing with what it should hold.
    private mutating func required(_ fields: Fields, _ key: String, _ expected: String) -> Node? {
        if let node = fields[key] {
            return node
        }
        report(.missingKey, at: fields.mark, fields.child(key), "required key is missing; expected \(expected)")
        return nil
    }

    // MARK: - Reporting

    private mutating func report(_ code: ConfigProblem.Code, at mark: Mark?, _ keyPath: String, _ message: String) {
        report(code, line: mark?.line ?? 1, column: mark?.column ?? 1, keyPath, message)
    }

    private mutating func report(_ code: ConfigProblem.Code, line: Int, column: Int, _ keyPath: String, _ message: String) {
        problems.append(ConfigProblem(code, file: file, line: line, column: column, keyPath: keyPath, message: message))
    }

    /// How a node looks, for "expected X, got Y"; scalars are quoted and shortened.
    private static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case let .scalar(scalar):
            if Self.hasTag(node, .null) { return "nothing" }
            let text = scalar.string.count > 40 ? "\(scalar.string.prefix(40))..." : scalar.string
            return "'\(text)'"
        }
    }

    /// The closest candidate by edit distance, when it is close enough to be a likely typo.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, best.0.count / 3) ? best.0 : nil
    }

    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
