import Foundation
import Testing

@testable import SluiceCore

/// Spec texts shared by the spec tests.
enum SpecFixture {
    static let digest = "9f2c" + String(repeating: "0123456789abcdef", count: 3) + "0123456789ab"

    /// The pipeline spec from DESIGN.md, with a full digest where the design abbreviates it.
    static let designExample = """
        version: 1
        model: churn                       # registry name
        release_branch: main
        inputs:
          paths: [src/, train.py, requirements.txt, .sluice.yml]   # other paths never trigger training
          data:
            - name: transactions
              uri: https://data.example.com/transactions.csv   # also file://; more schemes later
              sha256: \(digest)   # optional pin; data events update it
        steps:
          test:     { run: python3 -m unittest -q, timeout: 10m }
          train:    { run: python3 train.py, timeout: 2h }
          validate: { run: python3 evaluate.py, timeout: 20m }
        artifact: model.json               # path inside $SLUICE_OUTPUT
        gate:
          - metric: auc
            min: 0.80                      # absolute floor
            max_drop: 0.005                # at most this much below the baseline
          - metric: accuracy
            min: 0.90
          - metric: latency_p95_ms
            max: 50
            max_increase_pct: 10
        environments: [staging, production]   # where this model goes, in order; protection is in sluice.yml
        deploy:
          template: kserve                 # a template shipped in templates/, or a path in the model repo
          values: { format: sklearn, min_replicas: 1 }
        """

    /// The smallest spec that parses; five lines, so additions start on line 6.
    static let minimal = """
        version: 1
        model: churn
        steps:
          train: python3 train.py
        artifact: model.json

        """

    /// `minimal` with a validate step, as gate rules need one.
    static let measured = minimal.replacingOccurrences(
        of: "  train: python3 train.py\n", with: "  train: python3 train.py\n  validate: python3 evaluate.py\n")

    /// The full error text a spec must produce; fails the test if it parses.
    static func errors(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        problems(yaml, sourceLocation: sourceLocation).map(\.description).joined(separator: "\n")
    }

    /// The problems a spec must produce; fails the test if it parses.
    static func problems(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigProblem] {
        do {
            _ = try PipelineSpec.parse(yaml: yaml)
            Issue.record("expected the spec to be refused", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.problems
        }
    }
}

@Suite("Parsing a repository's pipeline spec")
struct SpecParsingTests {
    @Test("The DESIGN.md example parses to exactly the spec it describes")
    func designExample() throws {
        let spec = try PipelineSpec.parse(yaml: SpecFixture.designExample)
        let expected = PipelineSpec(
            version: 1,
            model: "churn",
            releaseBranch: "main",
            inputs: PipelineSpec.Inputs(
                paths: ["src/", "train.py", "requirements.txt", ".sluice.yml"],
                data: [
                    PipelineSpec.DataInput(
                        name: "transactions", uri: "https://data.example.com/transactions.csv", sha256: Digest(hex: SpecFixture.digest)
                    )
                ]
            ),
            steps: PipelineSpec.Steps(
                test: PipelineSpec.Step(run: "python3 -m unittest -q", timeout: .seconds(10 * 60)),
                train: PipelineSpec.Step(run: "python3 train.py", timeout: .seconds(2 * 3600)),
                validate: PipelineSpec.Step(run: "python3 evaluate.py", timeout: .seconds(20 * 60))
            ),
            artifact: "model.json",
            gate: [
                GateRule(metric: "auc", bounds: [.min(0.80), .maxDrop(0.005)], direction: .higher),
                GateRule(metric: "accuracy", bounds: [.min(0.90)], direction: .higher),
                GateRule(metric: "latency_p95_ms", bounds: [.max(50), .maxIncreasePercent(10)], direction: .lower),
            ],
            requireBaseline: false,
            environments: [
                PipelineSpec.EnvironmentTarget(name: "staging"), PipelineSpec.EnvironmentTarget(name: "production"),
            ],
            deploy: PipelineSpec.DeploySpec(template: "kserve", values: ["format": "sklearn", "min_replicas": "1"])
        )
        #expect(spec == expected)
    }

    @Test("A minimal spec gets the default release branch, timeout and policies")
    func minimalSpecGetsDefaults() throws {
        let spec = try PipelineSpec.parse(yaml: SpecFixture.minimal)
        #expect(spec == PipelineSpec(model: "churn", steps: PipelineSpec.Steps(train: PipelineSpec.Step(run: "python3 train.py")), artifact: "model.json"))
        #expect(spec.releaseBranch == "main")
        #expect(spec.steps.train.timeout == PipelineSpec.Step.defaultTimeout)
        #expect(spec.deploy == nil)
    }

    @Test("Optional keys are read: step environment, require_baseline, direction, file URIs and a template path")
    func optionalKeys() throws {
        let yaml = SpecFixture.measured + """
            release_branch: release/v2
            require_baseline: true
            inputs:
              data:
                - { name: holdout_2024, uri: "file:///srv/data/holdout.csv", sha256: \(SpecFixture.digest.uppercased()) }
            gate:
              - { metric: loss, max_increase: 0.01, max_drop_pct: 50, direction: lower }
            deploy:
              template: deploy/manifest.yaml
              values: { replicas: 2, canary: true, note: "" }
            """
        let spec = try PipelineSpec.parse(yaml: yaml.replacingOccurrences(
            of: "  train: python3 train.py",
            with: "  train:\n    run: python3 train.py --epochs 3\n    timeout: 1h30m\n    env: { PYTHONHASHSEED: 0, MODE: fast }"
        ))
        #expect(spec.releaseBranch == "release/v2")
        #expect(spec.requireBaseline)
        #expect(spec.steps.train == PipelineSpec.Step(
            run: "python3 train.py --epochs 3", timeout: .seconds(90 * 60), environment: ["PYTHONHASHSEED": "0", "MODE": "fast"]
        ))
        #expect(spec.inputs.data == [PipelineSpec.DataInput(name: "holdout_2024", uri: "file:///srv/data/holdout.csv", sha256: Digest(hex: SpecFixture.digest))])
        #expect(spec.gate == [GateRule(metric: "loss", bounds: [.maxIncrease(0.01), .maxDropPercent(50)], direction: .lower)])
        #expect(spec.deploy == PipelineSpec.DeploySpec(template: "deploy/manifest.yaml", values: ["replicas": "2", "canary": "true", "note": ""]))
    }

    @Test("A gate rule keeps its bounds in the order the spec writes them")
    func boundOrder() throws {
        let spec = try PipelineSpec.parse(yaml: SpecFixture.measured + """
            gate:
              - { metric: f1, max_drop_pct: 2, min: 0.5, max_drop: 0.1, max: 1 }
            """)
        #expect(spec.gate.first?.bounds == [.maxDropPercent(2), .min(0.5), .maxDrop(0.1), .max(1)])
        #expect(spec.gate.first?.direction == .higher)
    }
}

@Suite("Reporting problems in a pipeline spec")
struct SpecProblemsTests {
    @Test("An unknown key names the closest known key, with file, line, column and key path")
    func unknownKeyWithSuggestion() {
        let yaml = SpecFixture.measured + """
            gate:
              - metric: auc
                min: 0.8
              - metric: latency
                mx: 50
                max_increase_pct: 10
            """
        #expect(SpecFixture.errors(yaml) == ".sluice.yml:11:5: gate[1].mx: unknown key; did you mean 'max'?")
    }

    @Test("An unknown key far from every known key lists the known keys")
    func unknownKeyWithoutSuggestion() {
        #expect(
            SpecFixture.errors(SpecFixture.minimal + "notifications: slack\n")
                == ".sluice.yml:6:1: notifications: unknown key; expected one of version, model, release_branch, inputs, steps, environment, artifact, gate, require_baseline, environments, deploy"
        )
    }

    @Test("A value of the wrong type says what was expected and what was found")
    func wrongTypes() {
        let yaml = SpecFixture.minimal + """
            require_baseline: maybe
            inputs: { paths: src/ }
            gate: { metric: auc }
            environments:
              - { name: production, approvals: one }
            """
        #expect(SpecFixture.errors(yaml) == """
            .sluice.yml:6:19: require_baseline: expected true or false, got 'maybe'
            .sluice.yml:7:18: inputs.paths: expected a list, got 'src/'
            .sluice.yml:8:7: gate: expected a list, got a mapping
            .sluice.yml:10:36: environments[0].approvals: expected an integer (how many distinct approvers must approve, at least the server's number), got 'one'
            """)
    }

    @Test("A step that is neither a command nor a mapping is refused")
    func stepOfWrongType() {
        let yaml = SpecFixture.minimal.replacingOccurrences(of: "train: python3 train.py", with: "train: [python3, train.py]")
        #expect(
            SpecFixture.errors(yaml)
                == ".sluice.yml:4:10: steps.train: expected a command, or a mapping with run, timeout and env, got a list"
        )
    }

    @Test("Missing model, steps.train and artifact are each reported with what to write")
    func missingRequiredKeys() {
        let yaml = """
            version: 1
            steps:
              test: python3 -m unittest
            """
        #expect(SpecFixture.errors(yaml) == """
            .sluice.yml:1:1: model: required key is missing; expected the model's registry name, as in model: churn
            .sluice.yml:1:1: artifact: required key is missing; expected the model file's path inside $SLUICE_OUTPUT, as in artifact: model.json
            .sluice.yml:3:3: steps.train: required key is missing; expected the training command, as in train: python3 train.py
            """)
    }

    @Test("A spec without steps says train is needed")
    func missingSteps() {
        #expect(
            SpecFixture.errors("version: 1\nmodel: churn\nartifact: model.json\n")
                == ".sluice.yml:1:1: steps: required key is missing; expected the steps to run, at least train, as in steps: { train: python3 train.py }"
        )
    }

    @Test("A step mapping without run says what to write")
    func stepWithoutRun() {
        let yaml = SpecFixture.minimal.replacingOccurrences(of: "train: python3 train.py", with: "train: { timeout: 2h }")
        #expect(
            SpecFixture.errors(yaml)
                == ".sluice.yml:4:10: steps.train.run: required key is missing; expected the command to run, as in run: python3 train.py"
        )
    }

    @Test("A missing version, or any version but 1, is refused")
    func versions() {
        #expect(
            SpecFixture.errors(SpecFixture.minimal.replacingOccurrences(of: "version: 1\n", with: ""))
                == ".sluice.yml:1:1: version: required key is missing; write version: 1 at the top of the file"
        )
        #expect(
            SpecFixture.errors(SpecFixture.minimal.replacingOccurrences(of: "version: 1", with: "version: 2"))
                == ".sluice.yml:1:10: version: Sluice reads version 1 of the pipeline spec only; write version: 1"
        )
        #expect(
            SpecFixture.errors(SpecFixture.minimal.replacingOccurrences(of: "version: 1", with: "version: \"1.0\""))
                == ".sluice.yml:1:10: version: expected an integer (write version: 1), got '1.0'"
        )
    }

    @Test("A model name must be usable in URLs")
    func invalidModelName() {
        #expect(
            SpecFixture.errors(SpecFixture.minimal.replacingOccurrences(of: "model: churn", with: "model: Churn Model"))
                == ".sluice.yml:2:8: model: 'Churn Model' is not a valid name: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit (it appears in URLs)"
        )
    }

    @Test("Gate rules without a validate step are refused before any run, saying what to add")
    func gateWithoutValidateStep() {
        #expect(
            SpecFixture.errors(SpecFixture.minimal + "gate:\n  - { metric: auc, min: 0.8 }\n")
                == ".sluice.yml:4:3: steps.validate: the gate's rules compare metrics, which the validate step writes to "
                + "$SLUICE_METRICS; add one, as in validate: { run: python3 evaluate.py }")
        #expect((try? PipelineSpec.parse(yaml: SpecFixture.minimal)) != nil, "a spec without gate rules needs no validate step")
    }

    @Test("A gate rule with no bound is refused, naming its metric and the bounds there are")
    func gateRuleWithoutBound() {
        let yaml = SpecFixture.measured + """
            gate:
              - metric: auc
                direction: higher
            """
        #expect(
            SpecFixture.errors(yaml)
                == ".sluice.yml:8:5: gate[0]: gate rule for 'auc' has no bound: add min, max, max_drop, max_increase, max_drop_pct or max_increase_pct"
        )
    }

    @Test("A bound that is not a number is reported once, without also claiming the rule has no bound")
    func boundNotANumber() {
        #expect(
            SpecFixture.errors(SpecFixture.measured + "gate:\n  - { metric: auc, min: high }\n")
                == ".sluice.yml:8:25: gate[0].min: expected a number, got 'high'"
        )
    }

    @Test("A gate rule whose max is below its min can never pass and is refused")
    func minAboveMax() {
        #expect(
            SpecFixture.errors(SpecFixture.measured + "gate:\n  - { metric: auc, min: 0.9, max: 0.5 }\n")
                == ".sluice.yml:8:30: gate[0].max: max 0.5 is below min 0.9: no value can pass this rule"
        )
    }

    @Test("An unknown direction lists the directions there are")
    func unknownDirection() {
        #expect(
            SpecFixture.errors(SpecFixture.measured + "gate:\n  - { metric: auc, min: 0.8, direction: up }\n")
                == ".sluice.yml:8:41: gate[0].direction: unknown direction 'up'; expected one of higher, lower"
        )
        #expect(
            SpecFixture.errors(SpecFixture.measured + "gate:\n  - { metric: auc, min: 0.8, direction: hihger }\n")
                == ".sluice.yml:8:41: gate[0].direction: unknown direction 'hihger'; did you mean 'higher'? Expected one of higher, lower"
        )
    }

    @Test("A duplicate environment name is reported at the second one, naming the first one's line")
    func duplicateEnvironment() {
        let yaml = SpecFixture.minimal + """
            environments:
              - name: staging
              - name: production
                approvals: 2
              - name: staging
            """
        #expect(
            SpecFixture.errors(yaml)
                == ".sluice.yml:10:11: environments[2].name: environment name 'staging' is already used by environments[0] (line 7)"
        )
        #expect(
            SpecFixture.errors(SpecFixture.minimal + "environments: [staging, production, staging]\n")
                == ".sluice.yml:6:37: environments[2].name: environment name 'staging' is already used by environments[0] (line 6)"
        )
    }

    @Test("A spec that sets an environment's protection is refused, naming the server key that governs it")
    func protectionBelongsToTheServer() {
        let yaml = SpecFixture.minimal + """
            environments:
              - name: production
                auto: true
                approvals: 0
                approvers: [mallory]
                allow_self_approval: true
            """
        let problems = SpecFixture.problems(yaml)
        #expect(problems.map(\.keyPath) == [
            "environments[0].auto", "environments[0].approvals", "environments[0].approvers", "environments[0].allow_self_approval",
        ])
        #expect(problems.filter { $0.code == .serverPolicy }.count == 3)
        #expect(problems[0].description == ".sluice.yml:8:5: environments[0].auto: protection belongs to the server: set it as projects[].environments[].auto in the server's sluice.yml, and remove it here (a spec names its environments and may only ask for more approvals)")
        #expect(problems[1].description == ".sluice.yml:9:16: environments[0].approvals: 0 is out of range; expected how many distinct approvers must approve, at least the server's number")
        #expect(problems[2].message.contains("projects[].environments[].approvers in the server's sluice.yml"))
        #expect(problems[3].message.contains("projects[].environments[].allow_self_approval in the server's sluice.yml"))
    }

    @Test("Artifact, template and input paths must stay inside their folder", arguments: [
        ("artifact: /tmp/model.json", "artifact: must be relative to $SLUICE_OUTPUT, not absolute"),
        ("artifact: ../model.json", "artifact: must stay inside $SLUICE_OUTPUT: no '..' components or backslashes"),
        ("artifact: out/../../model.json", "artifact: must stay inside $SLUICE_OUTPUT: no '..' components or backslashes"),
        ("artifact: \"  \"", "artifact: must not be empty"),
        ("deploy: { template: /etc/kserve.yaml }", "deploy.template: must be relative to the repository, not absolute"),
        ("deploy: { template: ../shared/kserve.yaml }", "deploy.template: must stay inside the repository: no '..' components or backslashes"),
        ("inputs: { paths: [src/, ~/data] }", "inputs.paths[1]: must be relative to the repository, not absolute"),
        ("inputs: { paths: [src/.., train.py] }", "inputs.paths[0]: must stay inside the repository: no '..' components or backslashes"),
    ])
    func pathsOutsideTheirFolder(line: String, expected: String) {
        let replacesArtifact = line.hasPrefix("artifact:")
        let yaml = replacesArtifact
            ? SpecFixture.minimal.replacingOccurrences(of: "artifact: model.json", with: line)
            : SpecFixture.minimal + line + "\n"
        let problems = SpecFixture.problems(yaml)
        #expect(problems.map { "\($0.keyPath): \($0.message)" } == [expected])
        #expect(problems.map(\.line) == [replacesArtifact ? 5 : 6])
    }

    @Test("Data inputs need a unique name, an http, https or file URI, and a 64-digit digest")
    func dataInputs() {
        let yaml = SpecFixture.minimal + """
            inputs:
              data:
                - name: transactions
                  uri: s3://lake/transactions.csv
                  sha256: 9f2c
                - name: transactions
                  uri: https://user:hunter2@data.example.com/t.csv
                - name: Holdout-2024
                  uri: https://data.example.com/holdout.csv
                - sha256: \(SpecFixture.digest)
            """
        let errors = SpecFixture.errors(yaml)
        #expect(errors == """
            .sluice.yml:9:12: inputs.data[0].uri: expected an https://, http:// or file:// URI, as in https://data.example.com/transactions.csv
            .sluice.yml:10:15: inputs.data[0].sha256: expected a sha256 digest: 64 hexadecimal digits
            .sluice.yml:11:13: inputs.data[1].name: data input name 'transactions' is already used by inputs.data[0] (line 8)
            .sluice.yml:12:12: inputs.data[1].uri: must not contain a user name or password: the spec is committed to the repository
            .sluice.yml:13:13: inputs.data[2].name: 'Holdout-2024' is not a valid data input name: use lowercase letters, digits and '_', starting with a letter (the step sees it as SLUICE_DATA_<NAME>)
            .sluice.yml:15:7: inputs.data[3].name: required key is missing; expected a name for the data, as in name: transactions
            .sluice.yml:15:7: inputs.data[3].uri: required key is missing; expected where to download the data, an https://, http:// or file:// URI
            """)
        #expect(!errors.contains("hunter2"))
    }

    @Test("Step environment names must be variable names outside SLUICE_, and values are never echoed")
    func stepEnvironment() {
        let yaml = SpecFixture.minimal.replacingOccurrences(
            of: "train: python3 train.py",
            with: "train: { run: python3 train.py, env: { SLUICE_OUTPUT: /tmp, 2FAST: yes, TOKEN: [hunter2] } }"
        )
        let errors = SpecFixture.errors(yaml)
        #expect(errors == """
            .sluice.yml:4:42: steps.train.env.SLUICE_OUTPUT: names starting with SLUICE_ are reserved for the variables Sluice sets, such as SLUICE_OUTPUT; choose another name
            .sluice.yml:4:63: steps.train.env.2FAST: not an environment variable name: use letters, digits and '_', not starting with a digit
            .sluice.yml:4:82: steps.train.env.TOKEN: expected a single value (text, a number or true/false), got a list
            """)
        #expect(!errors.contains("hunter2"))
    }

    @Test("Template values must be single values")
    func templateValuesMustBeScalars() {
        #expect(
            SpecFixture.errors(SpecFixture.minimal + "deploy: { template: kserve, values: { resources: { cpu: 1 } } }\n")
                == ".sluice.yml:6:50: deploy.values.resources: expected a single value (text, a number or true/false), got a mapping"
        )
    }

    @Test("A YAML syntax error is one problem at the parser's position")
    func syntaxError() throws {
        let problems = SpecFixture.problems(SpecFixture.minimal + "gate:\n  - { metric: auc, min: 0.8\n")
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.code == .syntax)
        #expect(problem.line >= 7)
        #expect(problem.description.hasPrefix(".sluice.yml:\(problem.line):\(problem.column): invalid YAML: "))
    }

    @Test("An empty file, or one that is not a mapping, is refused with what a spec needs")
    func emptyOrNotAMapping() {
        #expect(
            SpecFixture.errors("# nothing yet\n")
                == ".sluice.yml:1:1: the file is empty; a pipeline spec needs at least version, model, steps.train and artifact"
        )
        #expect(SpecFixture.problems("- train\n").map(\.code) == [.wrongType])
    }

    @Test("The file name given to the parser is the one problems cite")
    func fileNameInProblems() {
        #expect {
            try PipelineSpec.parse(yaml: "version: 1\n", file: "models/churn/.sluice.yml")
        } throws: { error in
            (error as? SpecError)?.problems.allSatisfy { $0.file == "models/churn/.sluice.yml" } == true
        }
    }

    @Test("Every problem in a file is reported, in document order, one line each")
    func severalProblems() {
        let yaml = """
            version: 2
            model: churn
            relase_branch: main
            steps:
              train: { run: python3 train.py, timeout: 90 }
            gate:
              - metric: auc
              - metric: latency
                mx: 50
                direction: down
            environments:
              - { name: production, auto: true, approvals: 1 }
              - { name: production }
            deploy:
              template: ../kserve
            """
        #expect(SpecFixture.errors(yaml) == """
            .sluice.yml:1:1: artifact: required key is missing; expected the model file's path inside $SLUICE_OUTPUT, as in artifact: model.json
            .sluice.yml:1:10: version: Sluice reads version 1 of the pipeline spec only; write version: 1
            .sluice.yml:3:1: relase_branch: unknown key; did you mean 'release_branch'?
            .sluice.yml:5:44: steps.train.timeout: '90' has no unit; add s, m or h, as in 90s
            .sluice.yml:7:5: gate[0]: gate rule for 'auc' has no bound: add min, max, max_drop, max_increase, max_drop_pct or max_increase_pct
            .sluice.yml:8:5: gate[1]: gate rule for 'latency' has no bound: add min, max, max_drop, max_increase, max_drop_pct or max_increase_pct
            .sluice.yml:9:5: gate[1].mx: unknown key; did you mean 'max'?
            .sluice.yml:10:16: gate[1].direction: unknown direction 'down'; expected one of higher, lower
            .sluice.yml:12:25: environments[0].auto: protection belongs to the server: set it as projects[].environments[].auto in the server's sluice.yml, and remove it here (a spec names its environments and may only ask for more approvals)
            .sluice.yml:13:13: environments[1].name: environment name 'production' is already used by environments[0] (line 12)
            .sluice.yml:15:13: deploy.template: must stay inside the repository: no '..' components or backslashes
            """)
    }
}

@Suite("Reading durations in a pipeline spec")
struct SpecDurationTests {
    @Test("Whole hours, minutes and seconds, largest unit first, are durations", arguments: [
        ("90s", 90), ("10m", 600), ("2h", 7200), ("1h30m", 5400), ("1h30m15s", 5415), ("2m30s", 150), ("1h0m", 3600),
        ("0h5m", 300), ("36h", 129_600),
    ])
    func validDurations(text: String, seconds: Int64) throws {
        #expect(try Duration.parse(specText: text).get() == .seconds(seconds))
        let spec = try PipelineSpec.parse(yaml: SpecFixture.minimal.replacingOccurrences(
            of: "train: python3 train.py", with: "train: { run: python3 train.py, timeout: \(text) }"
        ))
        #expect(spec.steps.train.timeout == .seconds(seconds))
    }

    @Test("Anything else is refused with what to write instead", arguments: [
        ("90", "'90' has no unit; add s, m or h, as in 90s"),
        ("0s", "must be longer than zero, as in 90s, 10m, 2h or 1h30m"),
        ("0h0m", "must be longer than zero, as in 90s, 10m, 2h or 1h30m"),
        ("-5m", "must be longer than zero, as in 90s, 10m, 2h or 1h30m"),
        ("1.5h", "'1.5h' is not a duration; write whole hours, minutes or seconds with their unit, as in 90s, 10m, 2h or 1h30m"),
        ("30m1h", "'30m1h' is not a duration; write whole hours, minutes or seconds with their unit, as in 90s, 10m, 2h or 1h30m"),
        ("1h1h", "'1h1h' is not a duration; write whole hours, minutes or seconds with their unit, as in 90s, 10m, 2h or 1h30m"),
        ("10 m", "'10 m' is not a duration; write whole hours, minutes or seconds with their unit, as in 90s, 10m, 2h or 1h30m"),
        ("10min", "'10min' is not a duration; write whole hours, minutes or seconds with their unit, as in 90s, 10m, 2h or 1h30m"),
        ("1d", "'1d' is not a duration; write whole hours, minutes or seconds with their unit, as in 90s, 10m, 2h or 1h30m"),
        ("h", "'h' is not a duration; write whole hours, minutes or seconds with their unit, as in 90s, 10m, 2h or 1h30m"),
        ("99999999999999999h", "'99999999999999999h' is too long a duration"),
    ])
    func invalidDurations(text: String, reason: String) {
        #expect(Duration.parse(specText: text) == .failure(InvalidDuration(reason: reason)))
        let yaml = SpecFixture.minimal.replacingOccurrences(of: "train: python3 train.py", with: "train:\n    run: python3 train.py\n    timeout: \(text)")
        #expect(SpecFixture.errors(yaml) == ".sluice.yml:6:14: steps.train.timeout: \(reason)")
    }

    @Test("environment.python names a requirements file inside the repository; a list there is told about environments:")
    func pythonEnvironment() throws {
        let spec = try PipelineSpec.parse(yaml: SpecFixture.minimal + "environment:\n  python: { requirements: env/requirements.txt }\n")
        #expect(spec.environment == PipelineSpec.Environment(python: PipelineSpec.PythonEnvironment(requirements: "env/requirements.txt")))
        #expect(SpecFixture.errors(SpecFixture.minimal + "environment:\n  python: { requirements: ../requirements.txt }\n")
            == ".sluice.yml:7:27: environment.python.requirements: must stay inside the repository: no '..' components or backslashes")
        #expect(SpecFixture.errors(SpecFixture.minimal + "environment: [staging, production]\n").contains(
            "the places a model goes are listed under environments:"))
        #expect(SpecFixture.errors(SpecFixture.minimal + "environment:\n  python: {}\n").contains(
            "environment.python.requirements: required key is missing"))
    }

    @Test("A step may set PATH but not HOME or TMPDIR, which are its run's own folders")
    func runFoldersAreSluices() throws {
        let yaml = SpecFixture.minimal.replacingOccurrences(
            of: "train: python3 train.py", with: "train: { run: python3 train.py, env: { PATH: /usr/local/ml/bin, HOME: /root } }")
        #expect(SpecFixture.errors(yaml) == ".sluice.yml:4:67: steps.train.env.HOME: HOME is the run's own folder, which Sluice sets for every step; remove it here")
    }
}
