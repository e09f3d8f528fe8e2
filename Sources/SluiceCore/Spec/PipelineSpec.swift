/// A model repository's `.sluice.yml`, read from the commit being run: what to run, what it
/// produces, how the candidate is judged, and where it goes.
///
/// It is data, never authority: the server's config decides how each environment is protected
/// and adds a gate floor of its own, so a commit cannot promote itself by editing this file.
public struct PipelineSpec: Sendable, Hashable, Codable {
    /// The file name at the root of the commit.
    public static let fileName = ".sluice.yml"
    /// The release branch when the spec names none.
    public static let defaultReleaseBranch = "main"

    /// The only format version there is.
    public var version: Int
    /// The registry name of the model.
    public var model: String
    /// Pushes to this branch register and promote; others only gate. Default `main`.
    var releaseBranch: String
    public var inputs: Inputs
    public var steps: Steps
    /// The Python environment Sluice builds for the steps, if the spec asks for one.
    public var environment: Environment?
    /// Path of the model artifact inside `$SLUICE_OUTPUT`: relative, without `..`.
    public var artifact: String
    public var gate: [GateRule]
    /// When true, change rules fail while there is no baseline instead of passing as "no baseline".
    var requireBaseline: Bool
    /// Where the model goes, in order; how each is protected is the server's to say.
    public var environments: [EnvironmentTarget]
    public var deploy: DeploySpec?

    public init(
        version: Int = 1, model: String, releaseBranch: String = defaultReleaseBranch, inputs: Inputs = Inputs(), steps: Steps,
        environment: Environment? = nil, artifact: String, gate: [GateRule] = [], requireBaseline: Bool = false,
        environments: [EnvironmentTarget] = [], deploy: DeploySpec? = nil
    ) {
        self.version = version
        self.model = model
        self.releaseBranch = releaseBranch
        self.inputs = inputs
        self.steps = steps
        self.environment = environment
        self.artifact = artifact
        self.gate = gate
        self.requireBaseline = requireBaseline
        self.environments = environments
        self.deploy = deploy
    }

    /// What a run reads: the repository paths that matter, and the data it downloads.
    public struct Inputs: Sendable, Hashable, Codable {
        /// Paths (a trailing `/` is a directory) whose change makes a push train; empty means every path.
        public var paths: [String]
        public var data: [DataInput]

        public init(paths: [String] = [], data: [DataInput] = []) {
            self.paths = paths
            self.data = data
        }
    }

    /// One dataset a run downloads before its steps, exposed as `SLUICE_DATA_<NAME>`.
    public struct DataInput: Sendable, Hashable, Codable {
        public var name: String
        /// `https://`, `http://` or `file://`.
        public var uri: String
        /// The spec's `sha256` pin (written as 64 hex digits); when set, the download must match it.
        public var sha256: Digest?

        public init(name: String, uri: String, sha256: Digest? = nil) {
            self.name = name
            self.uri = uri
            self.sha256 = sha256
        }
    }

    /// test -> train -> validate; only `train` is required.
    public struct Steps: Sendable, Hashable, Codable {
        public var test: Step?
        public var train: Step
        public var validate: Step?

        public init(test: Step? = nil, train: Step, validate: Step? = nil) {
            self.test = test
            self.train = train
            self.validate = validate
        }

        /// The steps present, in the order they run, with their names.
        public var ordered: [(name: String, step: Step)] {
            [("test", test), ("train", train), ("validate", validate)].compactMap { name, step in
                step.map { (name, $0) }
            }
        }
    }

    /// What the steps' programs are installed into before they run (`environment:`).
    public struct Environment: Sendable, Hashable, Codable {
        public var python: PythonEnvironment

        public init(python: PythonEnvironment) {
            self.python = python
        }
    }

    /// A virtual environment of the steps' `python3`, built with pip from a requirements file of
    /// the commit, and first on the steps' `PATH`.
    public struct PythonEnvironment: Sendable, Hashable, Codable {
        /// The requirements file's path in the repository: relative, without `..`.
        public var requirements: String

        public init(requirements: String) {
            self.requirements = requirements
        }
    }

    /// One command, run by `/bin/sh -c` in the run's directory.
    public struct Step: Sendable, Hashable, Codable {
        /// The default deadline when the spec gives none.
        public static let defaultTimeout: Duration = .seconds(3600)

        public var run: String
        public var timeout: Duration
        /// Extra environment variables the spec grants this step (plain values, never secrets);
        /// `PATH` among them replaces Sluice's minimal one (a pre-built environment's `bin`).
        public var environment: [String: String]

        public init(run: String, timeout: Duration = Self.defaultTimeout, environment: [String: String] = [:]) {
            self.run = run
            self.timeout = timeout
            self.environment = environment
        }
    }

    /// An environment this model goes to, as the spec names it. Its protection is the server's
    /// (`projects[].environments[]`); the spec may only ask for more approvals than that.
    public struct EnvironmentTarget: Sendable, Hashable, Codable {
        public var name: String
        /// Distinct approvals the spec asks for on top of the server's rule; nil: the server's.
        public var approvals: Int?

        public init(name: String, approvals: Int? = nil) {
            self.name = name
            self.approvals = approvals
        }
    }

    /// How a promoted version becomes a manifest.
    public struct DeploySpec: Sendable, Hashable, Codable {
        /// A template shipped in `templates/` (`kserve`), or a relative path in the model repository.
        public var template: String
        /// Scalars handed to the template, as text.
        public var values: [String: String]

        public init(template: String, values: [String: String] = [:]) {
            self.template = template
            self.values = values
        }

        /// The template's path in the model repository, or nil for a shipped template's bare
        /// name: a path has a `/` or a `.` (`deploy/model.yaml.mustache`), a name has neither.
        var repositoryTemplatePath: String? {
            template.contains("/") || template.contains(".") ? template : nil
        }
    }
}

extension PipelineSpec {
    /// The environment whose model a candidate is measured against: `production` when the spec
    /// lists it, else the last environment listed (the most protected, by convention); nil when
    /// it lists none.
    var baselineEnvironment: String? {
        environments.contains { $0.name == "production" } ? "production" : environments.last?.name
    }
}
