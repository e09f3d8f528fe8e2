import Foundation
@testable import SluiceCore
import SluiceTesting
import Testing
import Yams

@Suite("Manifests: promotion manifests rendered from templates, against golden files and the shared validator")
struct ManifestRendererTests {
    /// `<package>/templates/manifests`, the shipped templates.
    private static let package = URL(filePath: #filePath)
        .deletingLastPathComponent()  // SluiceCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
    private let renderer = ManifestRenderer(templatesDirectory: package.appending(path: "templates/manifests"))

    private static let digest = Digest(hex: String(repeating: "3f9a", count: 16))!

    private func context(values: [String: String] = ["format": "sklearn", "image": "ghcr.io/acme/churn-server:1.4"])
        throws -> ManifestContext
    {
        ManifestContext(
            model: "churn", version: 7, environment: "production", digest: Self.digest,
            storageURI: ManifestContext.defaultStorageURI(
                publicURL: URL(string: "https://sluice.example.com")!, digest: Self.digest),
            sourceRepository: "https://github.com/acme/churn.git",
            sourceCommit: "0123456789abcdef0123456789abcdef01234567", run: 42, values: values)
    }

    /// The error `body` throws, or nil (recorded as an issue) when it renders.
    private func refusal(_ body: () throws(ManifestError) -> String) -> ManifestError? {
        do {
            let output = try body()
            Issue.record("rendered instead of failing:\n\(output)")
            return nil
        } catch {
            return error
        }
    }

    /// The documents of `yaml` as dictionaries.
    private func documents(_ yaml: String) throws -> [[String: Any]] {
        try Yams.load_all(yaml: yaml).map { try #require($0 as? [String: Any]) }
    }

    @Test("The KServe template renders the golden InferenceService")
    func kserveGolden() throws {
        Golden.expect(try renderer.render(template: "kserve", context: context()), "manifest-kserve.yaml")
    }

    @Test("The deployment template renders the golden Deployment and Service")
    func deploymentGolden() throws {
        Golden.expect(try renderer.render(template: "deployment", context: context()), "manifest-deployment.yaml")
    }

    @Test("The KServe manifest is an InferenceService whose storageUri is the artifact's URL on this server")
    func kserveParses() throws {
        let output = try renderer.render(template: "kserve", context: context())
        let documents = try documents(output)
        #expect(documents.count == 1)
        let service = try #require(documents.first)
        #expect(service["apiVersion"] as? String == "serving.kserve.io/v1beta1")
        #expect(service["kind"] as? String == "InferenceService")
        let metadata = try #require(service["metadata"] as? [String: Any])
        #expect(metadata["name"] as? String == "churn-production")
        #expect(metadata["namespace"] == nil)
        let labels = try #require(metadata["labels"] as? [String: Any])
        #expect(labels["sluice.dev/version"] as? String == "7")
        #expect(labels["app.kubernetes.io/managed-by"] as? String == "sluice")
        let annotations = try #require(metadata["annotations"] as? [String: Any])
        #expect(annotations["sluice.dev/digest"] as? String == Self.digest.description)
        #expect(annotations["sluice.dev/source"] as? String == "https://github.com/acme/churn.git@0123456789abcdef0123456789abcdef01234567")
        #expect(annotations["sluice.dev/run"] as? String == "42")
        let predictor = try #require((service["spec"] as? [String: Any])?["predictor"] as? [String: Any])
        #expect(predictor["minReplicas"] as? Int == 1)
        let model = try #require(predictor["model"] as? [String: Any])
        #expect((model["modelFormat"] as? [String: Any])?["name"] as? String == "sklearn")
        #expect(model["storageUri"] as? String == "https://sluice.example.com/api/v1/artifacts/sha256/" + String(repeating: "3f9a", count: 16))
    }

    @Test("The deployment manifest is a Deployment and a Service sharing name, port and MODEL_URI")
    func deploymentParses() throws {
        let output = try renderer.render(
            template: "deployment", context: context(values: ["image": "ghcr.io/acme/churn:1", "port": "9000", "min_replicas": "3"]))
        let documents = try documents(output)
        #expect(documents.map { $0["kind"] as? String } == ["Deployment", "Service"])
        #expect(documents.map { $0["apiVersion"] as? String } == ["apps/v1", "v1"])
        let spec = try #require(documents[0]["spec"] as? [String: Any])
        #expect(spec["replicas"] as? Int == 3)
        let podSpec = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((podSpec["containers"] as? [[String: Any]])?.first)
        #expect(container["image"] as? String == "ghcr.io/acme/churn:1")
        let env = try #require(container["env"] as? [[String: Any]])
        #expect(env.first?["value"] as? String == (try context()).storageURI)
        #expect((container["ports"] as? [[String: Any]])?.first?["containerPort"] as? Int == 9000)
        let servicePorts = try #require((documents[1]["spec"] as? [String: Any])?["ports"] as? [[String: Any]])
        #expect(servicePorts.first?["port"] as? Int == 9000)
    }

    @Test("A value made of quotes, line breaks and YAML punctuation stays one string with the same text")
    func hostileValuesStayScalars() throws {
        let hostile = "x\"\n: {}\n- [a]\n---\nkind: Secret # \\ \t\u{85}\u{2028}\u{7}'"
        var context = try context(values: ["format": hostile, "image": hostile])
        context.sourceRepository = hostile
        context.storageURI = hostile
        let kserve = try documents(try renderer.render(template: "kserve", context: context))
        #expect(kserve.count == 1)
        let model = (((kserve[0]["spec"] as? [String: Any])?["predictor"] as? [String: Any])?["model"] as? [String: Any])
        #expect((model?["modelFormat"] as? [String: Any])?["name"] as? String == hostile)
        #expect((model?["modelFormat"] as? [String: Any])?.count == 1)
        #expect(model?["storageUri"] as? String == hostile)
        let annotations = (kserve[0]["metadata"] as? [String: Any])?["annotations"] as? [String: Any]
        #expect(annotations?["sluice.dev/source"] as? String == hostile + "@" + context.sourceCommit)
        let deployment = try documents(try renderer.render(template: "deployment", context: context))
        #expect(deployment.map { $0["kind"] as? String } == ["Deployment", "Service"])
    }

    @Test("Rendering the same promotion twice gives the same bytes, ending in one newline")
    func deterministic() throws {
        for template in ["kserve", "deployment"] {
            let first = try renderer.render(template: template, context: context())
            let second = try renderer.render(template: template, context: context())
            #expect(first == second)
            #expect(first.hasSuffix("\n") && !first.hasSuffix("\n\n"))
        }
    }

    @Test("The KServe template without a format says to set deploy.values.format")
    func missingFormat() throws {
        let context = try context(values: ["image": "x"])
        let error = refusal { () throws(ManifestError) in try renderer.render(template: "kserve", context: context) }
        #expect(error?.code == .missingValue)
        #expect(error?.message.contains("deploy.values.format in .sluice.yml") == true)
    }

    @Test("The deployment template without an image says to set deploy.values.image")
    func missingImage() throws {
        let context = try context(values: ["format": "sklearn", "image": ""])
        let error = refusal { () throws(ManifestError) in try renderer.render(template: "deployment", context: context) }
        #expect(error?.code == .missingValue)
        #expect(error?.message.contains("deploy.values.image in .sluice.yml") == true)
    }

    @Test("An unknown template name is refused with the list of shipped templates")
    func unknownTemplate() throws {
        let context = try context()
        let error = refusal { () throws(ManifestError) in try renderer.render(template: "helm", context: context) }
        #expect(error?.code == .unknownTemplate)
        #expect(error?.message.contains("shipped: deployment, kserve") == true)
        #expect(renderer.shippedTemplates == ["deployment", "kserve"])
    }

    @Test("A template name that is a path is refused before any file is read")
    func pathAsName() throws {
        let context = try context()
        for name in ["../templates/manifests/kserve", "deploy/kserve", "kserve.yaml.mustache", ""] {
            let error = refusal { () throws(ManifestError) in try renderer.render(template: name, context: context) }
            #expect(error?.code == .unsafePath, "\(name)")
        }
    }

    @Test("A namespace from the values is rendered, and one that is not a DNS label is refused")
    func namespace() throws {
        let output = try renderer.render(template: "kserve", context: context(values: ["format": "onnx", "namespace": "ml-serving"]))
        #expect((try documents(output)[0]["metadata"] as? [String: Any])?["namespace"] as? String == "ml-serving")
        let bad = try context(values: ["format": "onnx", "namespace": "ML serving"])
        let error = refusal { () throws(ManifestError) in try renderer.render(template: "kserve", context: bad) }
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("deploy.values.namespace") == true)
    }

    @Test("A model name that cannot be a resource name asks for deploy.values.name, which then wins")
    func resourceName() throws {
        var context = try context()
        context.model = "churn_v2"
        let error = refusal { () throws(ManifestError) in try renderer.render(template: "kserve", context: context) }
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("set deploy.values.name") == true)
        context.values["name"] = "churn-v2"
        let output = try renderer.render(template: "kserve", context: context)
        #expect((try documents(output)[0]["metadata"] as? [String: Any])?["name"] as? String == "churn-v2")
    }

    @Test("Replicas and port must be whole numbers in range")
    func integers() throws {
        for values in [["min_replicas": "two"], ["min_replicas": "-1"], ["port": "0"], ["port": "80.5"]] {
            let context = try context(values: values.merging(["image": "x"]) { value, _ in value })
            let error = refusal { () throws(ManifestError) in try renderer.render(template: "deployment", context: context) }
            #expect(error?.code == .invalidValue, "\(values)")
        }
    }

    @Test("A template from the model repository sees the same quoted values, and its own values under values")
    func repositoryTemplate() throws {
        let text = """
            kind: ConfigMap
            apiVersion: v1
            metadata:
              name: {{name}}
            data:
              model: {{model}}
              version: {{version}}
              tier: {{values.tier}}
            {{#values.missing}}
              missing: {{values.missing}}
            {{/values.missing}}
            """
        let output = try renderer.render(
            templateText: text, named: "deploy/configmap.yaml.mustache", context: context(values: ["tier": "gold: yes"]))
        let data = try #require(try documents(output).first?["data"] as? [String: Any])
        #expect(data["model"] as? String == "churn")
        #expect(data["version"] as? String == "7")
        #expect(data["tier"] as? String == "gold: yes")
        #expect(data.count == 3)
    }

    @Test("A broken template is reported with its path and the line in the author's text")
    func templateSyntax() throws {
        let context = try context()
        let error = refusal { () throws(ManifestError) in
            try renderer.render(templateText: "kind: A\nname: {{name\nrun: {{run}}\n", named: "deploy/x.mustache", context: context)
        }
        #expect(error?.code == .templateSyntax)
        // Mustache notices the unfinished tag of line 2 at the start of line 3; the pragma line Sluice adds is not counted.
        #expect(error?.message.hasPrefix("deploy/x.mustache:3:1:") == true, "\(error?.message ?? "")")
    }

    @Test("A template cannot switch the content type that keeps values quoted")
    func contentTypePragma() throws {
        let context = try context()
        let error = refusal { () throws(ManifestError) in
            try renderer.render(templateText: "{{%CONTENT_TYPE:HTML}}\nname: {{name}}\n", named: "t", context: context)
        }
        #expect(error?.code == .templateSyntax)
    }

    @Test("A template that renders something other than YAML mappings is refused")
    func invalidOutput() throws {
        let context = try context()
        for text in ["name: {{name}}\n  bad: [", "- {{name}}\n", "# only a comment\n"] {
            let error = refusal { () throws(ManifestError) in try renderer.render(templateText: text, named: "t", context: context) }
            #expect(error?.code == .invalidOutput, "\(text)")
        }
    }

    @Test("The default storage URI joins public_url and the digest, keeping a path prefix")
    func defaultStorageURI() throws {
        let hex = String(repeating: "ab", count: 32)
        let digest = try #require(Digest(hex: hex))
        #expect(
            ManifestContext.defaultStorageURI(publicURL: URL(string: "https://ci.example.com/sluice/")!, digest: digest)
                == "https://ci.example.com/sluice/api/v1/artifacts/sha256/" + hex)
    }

    @Test("Both shipped manifests pass ../shared/tools/validate-manifest")
    func sharedValidator() throws {
        let validator = Self.package.deletingLastPathComponent().appending(path: "shared/tools/validate-manifest")
        guard FileManager.default.fileExists(atPath: validator.path(percentEncoded: false)) else {
            print("skipping: ../shared/tools/validate-manifest not found")
            return
        }
        guard try python(["-c", "import yaml, jsonschema"]).status == 0 else {
            print("skipping: validate-manifest needs python3 with PyYAML and jsonschema (pip install pyyaml jsonschema)")
            return
        }
        let scratch = try ScratchDirectory()
        var files: [String] = []
        for template in ["kserve", "deployment"] {
            let output = try renderer.render(template: template, context: context(values: [
                "format": "sklearn", "image": "ghcr.io/acme/churn-server:1.4", "namespace": "ml",
            ]))
            files.append(try scratch.write(output, to: "\(template).yaml").path(percentEncoded: false))
        }
        let result = try python([validator.path(percentEncoded: false)] + files)
        #expect(result.status == 0, "\(result.output)")
    }

    /// Runs `python3` with `arguments`; its exit status and its standard output and error together.
    private func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
