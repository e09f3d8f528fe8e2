import Foundation
import Yams

/// Walks the YAML node tree of a repository's `.sluice.yml` and builds a `PipelineSpec`,
/// collecting every problem on the way.
///
/// The generic walking (schema check, scalars, positions, did-you-mean) is `YAMLReader`'s; this
/// type holds the spec's schema and the checks that make a spec safe to act on before any of the
/// repository's code runs: paths stay inside their folder, names fit where they end up (URLs,
/// environment variables), every gate rule can fail, and no promotion policy is set here. Every
/// method that returns nil has reported why, so `decode` yields a spec only when `problems` is
/// empty. Messages never echo a data URI (it may hold credentials) nor a step's environment
/// values.
struct SpecDecoder {
    private var reader: YAMLReader

    init(file: String) {
        reader = YAMLReader(file: file)
    }

    var problems: [ConfigProblem] { reader.problems }

    /// Problems in document order; those without a position first.
    var sortedProblems: [ConfigProblem] { reader.sortedProblems }

    // MARK: - Schema

    /// The one spec format this Sluice reads.
    static let supportedVersion = 1

    static let rootKeys = [
        "version", "model", "release_branch", "inputs", "steps", "environment", "artifact", "gate", "require_baseline",
        "environments", "deploy",
    ]
    static let inputsKeys = ["paths", "data"]
    static let dataInputKeys = ["name", "uri", "sha256"]
    static let stepsKeys = ["test", "train", "validate"]
    static let stepKeys = ["run", "timeout", "env"]
    static let environmentSpecKeys = ["python"]
    static let pythonKeys = ["requirements"]
    /// Variables that point a step at its run's own folders, which a spec cannot move.
    static let runFolderVariables = ["HOME", "TMPDIR"]
    static let environmentKeys = ["name", "approvals"]
    /// Keys that only the server config may set; a spec that sets one is told where they went.
    static let serverPolicyKeys = ["auto", "approvers", "allow_self_approval"]
    static let deployKeys = ["template", "values"]

    static let dataSchemes = ["https", "http", "file"]

    // MARK: - Document

    mutating func decode(_ yaml: String) -> PipelineSpec? {
        let needs = "a pipeline spec needs at least version, model, steps.train and artifact"
        guard let document = reader.compose(yaml, ifEmpty: "", "the file is empty; \(needs)") else { return nil }
        guard let root = reader.fields(document, path: "", known: Self.rootKeys) else { return nil }

        let version = self.version(root)
        let model = reader.required(root, "model", "the model's registry name, as in model: churn").flatMap {
            reader.name($0, path: "model")
        }
        let releaseBranch = root["release_branch"].flatMap { reader.branch($0, path: "release_branch") }
            ?? PipelineSpec.defaultReleaseBranch
        let inputs = root["inputs"].map { self.inputs($0, path: "inputs") } ?? PipelineSpec.Inputs()
        let steps = self.steps(root)
        let environment = root["environment"].flatMap { self.environment($0, path: "environment") }
        let artifact = reader.required(root, "artifact", "the model file's path inside $SLUICE_OUTPUT, as in artifact: model.json").flatMap {
            relativePath($0, path: "artifact", inside: "$SLUICE_OUTPUT")
        }
        let gate = root["gate"].map { reader.gateRules($0, path: "gate") } ?? []
        let requireBaseline = root["require_baseline"].flatMap { reader.boolean($0, path: "require_baseline") } ?? false
        let environments = root["environments"].map { self.environments($0, path: "environments") } ?? []
        let deploy = root["deploy"].flatMap { self.deploy($0, path: "deploy") }
        if let steps, steps.validate == nil, !gate.isEmpty, let node = root["steps"] {
            reader.report(
                .missingKey, at: node.mark, "steps.validate",
                "the gate's rules compare metrics, which the validate step writes to $SLUICE_METRICS; add one, "
                    + "as in validate: { run: python3 evaluate.py }")
        }

        guard problems.isEmpty, let version, let model, let steps, let artifact else { return nil }
        return PipelineSpec(
            version: version,
            model: model,
            releaseBranch: releaseBranch,
            inputs: inputs,
            steps: steps,
            environment: environment,
            artifact: artifact,
            gate: gate,
            requireBaseline: requireBaseline,
            environments: environments,
            deploy: deploy
        )
    }

    // MARK: - Sections

    private mutating func version(_ root: YAMLFields) -> Int? {
        let write = "write version: \(Self.supportedVersion)"
        guard let node = root["version"] else {
            reader.report(.missingKey, at: root.mark, "version", "required key is missing; \(write) at the top of the file")
            return nil
        }
        guard let version = reader.integer(node, path: "version", in: Int.min...Int.max, expected: write) else { return nil }
        guard version == Self.supportedVersion else {
            reader.report(.invalidValue, at: node.mark, "version", "Sluice reads version \(Self.supportedVersion) of the pipeline spec only; \(write)")
            return nil
        }
        return version
    }

    private mutating func inputs(_ node: Node, path: String) -> PipelineSpec.Inputs {
        guard let fields = reader.fields(node, path: path, known: Self.inputsKeys) else { return PipelineSpec.Inputs() }
        var paths: [String] = []
        if let node = fields["paths"], let items = reader.list(node, path: fields.child("paths")) {
            for (index, item) in items.enumerated() {
                if let value = relativePath(item, path: "\(fields.child("paths"))[\(index)]", inside: "the repository") {
                    paths.append(value)
                }
            }
        }
        let data = fields["data"].map { dataInputs($0, path: fields.child("data")) } ?? []
        return PipelineSpec.Inputs(paths: paths, data: data)
    }

    private mutating func dataInputs(_ node: Node, path: String) -> [PipelineSpec.DataInput] {
        guard let items = reader.list(node, path: path) else { return [] }
        var result: [PipelineSpec.DataInput] = []
        var names: [String: YAMLReader.FirstUse] = [:]
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let fields = reader.fields(item, path: itemPath, known: Self.dataInputKeys) else { continue }
            let name = reader.required(fields, "name", "a name for the data, as in name: transactions").flatMap {
                dataName($0, path: fields.child("name"))
            }
            reader.checkUnique(fields["name"], path: itemPath, kind: "data input", list: path, index: index, seen: &names, citingLine: true)
            let uri = reader.required(fields, "uri", "where to download the data, an https://, http:// or file:// URI").flatMap {
                dataURI($0, path: fields.child("uri"))
            }
            let sha256 = fields["sha256"].flatMap { self.sha256($0, path: fields.child("sha256")) }
            guard let name, let uri else { continue }
            result.append(PipelineSpec.DataInput(name: name, uri: uri, sha256: sha256))
        }
        return result
    }

    private mutating func steps(_ root: YAMLFields) -> PipelineSpec.Steps? {
        guard let node = root["steps"] else {
            reader.report(.missingKey, at: root.mark, "steps", "required key is missing; expected the steps to run, at least train, as in steps: { train: python3 train.py }")
            return nil
        }
        guard let fields = reader.fields(node, path: "steps", known: Self.stepsKeys) else { return nil }
        let test = fields["test"].flatMap { step($0, path: fields.child("test")) }
        let train = reader.required(fields, "train", "the training command, as in train: python3 train.py").flatMap {
            step($0, path: fields.child("train"))
        }
        let validate = fields["validate"].flatMap { step($0, path: fields.child("validate")) }
        guard let train else { return nil }
        return PipelineSpec.Steps(test: test, train: train, validate: validate)
    }

    /// A step written as its command alone, or as a mapping with `run`, `timeout` and `env`.
    private mutating func step(_ node: Node, path: String) -> PipelineSpec.Step? {
        if node.scalar != nil {
            return reader.string(node, path: path).map { PipelineSpec.Step(run: $0) }
        }
        guard node.mapping != nil else {
            reader.report(.wrongType, at: node.mark, path, "expected a command, or a mapping with run, timeout and env, got \(YAMLReader.describe(node))")
            return nil
        }
        guard let fields = reader.fields(node, path: path, known: Self.stepKeys) else { return nil }
        let run = reader.required(fields, "run", "the command to run, as in run: python3 train.py").flatMap {
            reader.string($0, path: fields.child("run"))
        }
        let timeout = fields["timeout"].flatMap { self.timeout($0, path: fields.child("timeout")) }
            ?? PipelineSpec.Step.defaultTimeout
        let environment = fields["env"].map { stepEnvironment($0, path: fields.child("env")) } ?? [:]
        guard let run else { return nil }
        return PipelineSpec.Step(run: run, timeout: timeout, environment: environment)
    }

    /// `environment: { python: { requirements: requirements.txt } }`. A list here is most likely
    /// `environments:` misspelt, and is told so.
    private mutating func environment(_ node: Node, path: String) -> PipelineSpec.Environment? {
        if node.sequence != nil {
            reader.report(
                .wrongType, at: node.mark, path,
                "environment is what the steps' programs are installed from, as in environment: { python: { requirements: requirements.txt } }; the places a model goes are listed under environments:")
            return nil
        }
        guard let fields = reader.fields(node, path: path, known: Self.environmentSpecKeys) else { return nil }
        guard let python = reader.required(fields, "python", "the Python environment to build, as in python: { requirements: requirements.txt }") else { return nil }
        guard let pythonFields = reader.fields(python, path: fields.child("python"), known: Self.pythonKeys) else { return nil }
        let requirements = reader.required(pythonFields, "requirements", "a pip requirements file of the repository, as in requirements: requirements.txt").flatMap {
            relativePath($0, path: pythonFields.child("requirements"), inside: "the repository")
        }
        return requirements.map { PipelineSpec.Environment(python: PipelineSpec.PythonEnvironment(requirements: $0)) }
    }

    private mutating func timeout(_ node: Node, path: String) -> Duration? {
        guard let text = reader.string(node, path: path) else { return nil }
        switch Duration.parse(specText: text) {
        case let .success(duration):
            return duration
        case let .failure(invalid):
            reader.report(.invalidValue, at: node.mark, path, invalid.reason)
            return nil
        }
    }

    /// Variables a step may set for itself; `SLUICE_` names are Sluice's own contract with the step.
    private mutating func stepEnvironment(_ node: Node, path: String) -> [String: String] {
        guard let entries = reader.entries(node, path: path, expected: "environment variable names to values") else { return [:] }
        var result: [String: String] = [:]
        for (name, key, value) in entries {
            let keyPath = "\(path).\(name)"
            guard YAMLReader.isVariableName(name) else {
                reader.report(.invalidValue, at: key.mark, keyPath, "not an environment variable name: use letters, digits and '_', not starting with a digit")
                continue
            }
            guard !name.hasPrefix("SLUICE_") else {
                reader.report(.invalidValue, at: key.mark, keyPath, "names starting with SLUICE_ are reserved for the variables Sluice sets, such as SLUICE_OUTPUT; choose another name")
                continue
            }
            guard !Self.runFolderVariables.contains(name) else {
                reader.report(.invalidValue, at: key.mark, keyPath, "\(name) is the run's own folder, which Sluice sets for every step; remove it here")
                continue
            }
            if let text = reader.scalarText(value, path: keyPath) {
                result[name] = text
            }
        }
        return result
    }

    /// Each entry is a name, or `{name, approvals}` asking for more approvals than the server's
    /// rule. Protection keys (`auto`, `approvers`, `allow_self_approval`) are refused with the
    /// server key that governs them: a commit must not set its own promotion policy.
    private mutating func environments(_ node: Node, path: String) -> [PipelineSpec.EnvironmentTarget] {
        guard let items = reader.list(node, path: path) else { return [] }
        var result: [PipelineSpec.EnvironmentTarget] = []
        var names: [String: YAMLReader.FirstUse] = [:]
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            if item.scalar != nil {
                reader.checkUnique(item, path: itemPath, kind: "environment", list: path, index: index, seen: &names, citingLine: true)
                if let name = reader.name(item, path: itemPath) {
                    result.append(PipelineSpec.EnvironmentTarget(name: name))
                }
                continue
            }
            guard let fields = reader.fields(item, path: itemPath, known: Self.environmentKeys + Self.serverPolicyKeys) else { continue }
            for key in Self.serverPolicyKeys where fields.has(key) {
                reader.report(
                    .serverPolicy, at: fields.keyMark(key), fields.child(key),
                    "protection belongs to the server: set it as projects[].environments[].\(key) in the server's sluice.yml, and remove it here (a spec names its environments and may only ask for more approvals)")
            }
            let name = reader.required(fields, "name", "the environment's name, as in name: production").flatMap {
                reader.name($0, path: fields.child("name"))
            }
            reader.checkUnique(fields["name"], path: itemPath, kind: "environment", list: path, index: index, seen: &names, citingLine: true)
            let approvals = fields["approvals"].flatMap {
                reader.integer($0, path: fields.child("approvals"), in: 1...Int.max, expected: "how many distinct approvers must approve, at least the server's number")
            }
            guard let name else { continue }
            result.append(PipelineSpec.EnvironmentTarget(name: name, approvals: approvals))
        }
        return result
    }

    private mutating func deploy(_ node: Node, path: String) -> PipelineSpec.DeploySpec? {
        guard let fields = reader.fields(node, path: path, known: Self.deployKeys) else { return nil }
        let template = reader.required(fields, "template", "a template shipped with Sluice, as in template: kserve, or a path in the repository").flatMap {
            relativePath($0, path: fields.child("template"), inside: "the repository")
        }
        var values: [String: String] = [:]
        if let node = fields["values"], let entries = reader.entries(node, path: fields.child("values"), expected: "template value names to values") {
            for (name, _, value) in entries {
                values[name] = reader.scalarText(value, path: "\(fields.child("values")).\(name)")
            }
        }
        guard let template else { return nil }
        return PipelineSpec.DeploySpec(template: template, values: values)
    }

    // MARK: - Values

    /// A non-empty path that stays inside `folder`: relative, without `..` components.
    private mutating func relativePath(_ node: Node, path: String, inside folder: String) -> String? {
        guard let value = reader.string(node, path: path) else { return nil }
        reader.checkRelativePath(value, at: node, path: path, inside: folder)
        return value
    }

    /// A data input's name, which becomes the suffix of `SLUICE_DATA_<NAME>`: `[a-z][a-z0-9_]*`, so
    /// two names never make the same variable.
    private mutating func dataName(_ node: Node, path: String) -> String? {
        guard let text = reader.string(node, path: path) else { return nil }
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
        guard let first = text.first, first.isASCII, first.isLowercase, text.allSatisfy(allowed) else {
            reader.report(.invalidValue, at: node.mark, path, "'\(text)' is not a valid data input name: use lowercase letters, digits and '_', starting with a letter (the step sees it as SLUICE_DATA_<NAME>)")
            return nil
        }
        return text
    }

    /// An `https://`, `http://` or `file://` URI; never echoed, since it may hold credentials.
    private mutating func dataURI(_ node: Node, path: String) -> String? {
        guard let text = reader.string(node, path: path) else { return nil }
        let expected = "expected an https://, http:// or file:// URI, as in https://data.example.com/transactions.csv"
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), Self.dataSchemes.contains(scheme) else {
            reader.report(.invalidValue, at: node.mark, path, expected)
            return nil
        }
        if scheme == "file" {
            guard !url.path.isEmpty else {
                reader.report(.invalidValue, at: node.mark, path, "\(expected); this file:// URI has no path")
                return nil
            }
        } else {
            guard let host = url.host, !host.isEmpty else {
                reader.report(.invalidValue, at: node.mark, path, "\(expected); this one has no host")
                return nil
            }
            guard url.user == nil, url.password == nil else {
                reader.report(.invalidValue, at: node.mark, path, "must not contain a user name or password: the spec is committed to the repository")
                return nil
            }
        }
        return text
    }

    /// A `sha256` pin: 64 hex digits, in either case.
    private mutating func sha256(_ node: Node, path: String) -> Digest? {
        guard let text = reader.string(node, path: path) else { return nil }
        guard let digest = Digest(hex: text.lowercased()) else {
            reader.report(.invalidValue, at: node.mark, path, "expected a sha256 digest: 64 hexadecimal digits")
            return nil
        }
        return digest
    }
}
