import Foundation
import Mustache
import Yams

/// Renders a promotion's Kubernetes manifest from a Mustache template, the same bytes for the same input.
///
/// Shipped templates live in one directory as `<name>.yaml.mustache` and are chosen by bare name
/// (`deploy.template: kserve`); a template from the model repository is read from git by the caller
/// and handed over as text. Either way the template sees only values prepared here: every string is
/// already a YAML double-quoted scalar (so `name: {{model}}`, never `name: "{{model}}"`), and the few
/// numbers are checked integers, so no value in `.sluice.yml` or the registry can add keys, items or
/// documents to the manifest. Templates cannot switch Mustache's content type, which would undo that.
/// The output is checked to be YAML whose documents are mappings, and ends in exactly one newline.
///
/// Reads one small template file per call on the caller's thread; holds no state, so it is `Sendable`.
public struct ManifestRenderer: Sendable {
    /// The file name suffix of a shipped template.
    static let templateSuffix = ".yaml.mustache"
    /// Replicas when `deploy.values.min_replicas` is not set.
    static let defaultMinReplicas = 1
    /// Container and service port when `deploy.values.port` is not set.
    static let defaultPort = 8080

    /// Values a shipped template cannot render without, with what to write, by template name.
    static let requiredValues: [String: [(name: String, example: String)]] = [
        "kserve": [("format", "the KServe model format, as in format: sklearn")],
        "deployment": [("image", "the serving container image, as in image: ghcr.io/acme/churn-server:1.4")],
    ]

    /// The directory holding the shipped `*.yaml.mustache` files (`templates/manifests`).
    public let templatesDirectory: URL

    public init(templatesDirectory: URL) {
        self.templatesDirectory = templatesDirectory
    }

    /// The names of the shipped templates, sorted: each `*.yaml.mustache` file without its suffix.
    public var shippedTemplates: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: templatesDirectory.path(percentEncoded: false))) ?? []
        return files.filter { $0.hasSuffix(Self.templateSuffix) }.map { String($0.dropLast(Self.templateSuffix.count)) }.sorted()
    }

    /// Renders the shipped template `name` (`kserve`, `deployment`) for one promotion.
    public func render(template name: String, context: ManifestContext) throws(ManifestError) -> String {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber,
            name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw ManifestError(
                .unsafePath, name,
                "'\(name)' is not a shipped template name; a template in the model repository is read from git and rendered as text")
        }
        let url = templatesDirectory.appending(path: name + Self.templateSuffix)
        guard FileManager.default.fileExists(atPath: url.path(percentEncoded: false)) else {
            let shipped = shippedTemplates
            let list = shipped.isEmpty ? "none are installed in \(templatesDirectory.path(percentEncoded: false))" : shipped.joined(separator: ", ")
            throw ManifestError(
                .unknownTemplate, name,
                "there is no shipped template '\(name)' (shipped: \(list)); set deploy.template in .sluice.yml to one of them or to a path in the repository")
        }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ManifestError(
                .unreadableTemplate, name,
                "the shipped template \(url.path(percentEncoded: false)) cannot be read as UTF-8 text")
        }
        for (value, example) in Self.requiredValues[name] ?? [] where (context.values[value] ?? "").isEmpty {
            throw ManifestError(
                .missingValue, name,
                "the \(name) template needs deploy.values.\(value) in .sluice.yml: \(example)")
        }
        return try render(templateText: text, named: name, context: context)
    }

    /// Renders template text read from the model repository; `name` (its path) appears in errors.
    public func render(templateText: String, named name: String, context: ManifestContext) throws(ManifestError) -> String {
        let values = try Self.values(for: context, template: name)
        let template = try Self.parse(templateText, named: name)
        var output = template.render(values)
        while output.last?.isWhitespace == true { output.removeLast() }
        output += "\n"
        try Self.checkYAML(output, template: name)
        return output
    }

    // MARK: - Template

    /// Parses the template with Mustache's TEXT content type, which leaves the quoted values as they are.
    ///
    /// The pragma goes on a line of its own, which Mustache drops as a standalone tag; parse errors
    /// are reported one line up so they point into the author's text.
    private static func parse(_ text: String, named name: String) throws(ManifestError) -> MustacheTemplate {
        guard !text.contains("CONTENT_TYPE") else {
            throw ManifestError(
                .templateSyntax, name,
                "\(name): templates cannot set CONTENT_TYPE; Sluice already renders every {{value}} as a quoted YAML scalar")
        }
        do {
            return try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}\n" + text)
        } catch let error as MustacheTemplate.ParserError {
            throw ManifestError(
                .templateSyntax, name,
                "\(name):\(error.context.lineNumber - 1):\(error.context.columnNumber): not valid Mustache (\(error.error))")
        } catch {
            throw ManifestError(.templateSyntax, name, "\(name): not valid Mustache (\(error))")
        }
    }

    /// Refuses output that is not YAML made of mappings, so a template's mistake fails here and not in the cluster.
    private static func checkYAML(_ output: String, template name: String) throws(ManifestError) {
        do {
            let parser = try Parser(yaml: output)
            var index = 0
            while let node = try parser.nextRoot() {
                index += 1
                guard node.mapping != nil else {
                    throw ManifestError(
                        .invalidOutput, name,
                        "\(name) rendered YAML document \(index) that is not a mapping; each document must be one Kubernetes object")
                }
            }
            if index == 0 {
                throw ManifestError(.invalidOutput, name, "\(name) rendered no YAML document")
            }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(.invalidOutput, name, "\(name) rendered text that is not YAML: \(error)")
        }
    }

    // MARK: - Values

    /// The template's view of `context`: every string quoted, numbers checked, names derived and validated.
    private static func values(for context: ManifestContext, template: String) throws(ManifestError) -> [String: Any] {
        func invalid(_ message: String) -> ManifestError {
            ManifestError(.invalidValue, template, message)
        }
        for (what, text) in [("model", context.model), ("environment", context.environment)] where !isLabelValue(text) {
            throw invalid("the \(what) name '\(text)' cannot be a Kubernetes label value: at most 63 characters, starting and ending with a letter or digit")
        }
        let name = context.values["name"] ?? "\(context.model)-\(context.environment)"
        guard isDNSLabel(name, letterFirst: true) else {
            let origin = context.values["name"] == nil ? "the name made of model and environment, '\(name)'," : "deploy.values.name '\(name)'"
            throw invalid("\(origin) is not a valid resource name; set deploy.values.name in .sluice.yml to at most 63 lower-case letters, digits and '-', starting with a letter")
        }
        var values: [String: Any] = [
            "name": name.yamlQuoted,
            "model": context.model.yamlQuoted,
            "version": String(context.version).yamlQuoted,
            "environment": context.environment.yamlQuoted,
            "digest": context.digest.description.yamlQuoted,
            "storage_uri": context.storageURI.yamlQuoted,
            "source": "\(context.sourceRepository)@\(context.sourceCommit)".yamlQuoted,
            "source_repository": context.sourceRepository.yamlQuoted,
            "source_commit": context.sourceCommit.yamlQuoted,
            "run": String(context.run).yamlQuoted,
            "values": context.values.mapValues(\.yamlQuoted),
            "min_replicas": try integer("min_replicas", in: context, default: defaultMinReplicas, range: 0...1000, template: template),
            "port": try integer("port", in: context, default: defaultPort, range: 1...65535, template: template),
        ]
        if let namespace = context.values["namespace"] {
            guard isDNSLabel(namespace, letterFirst: false) else {
                throw invalid("deploy.values.namespace '\(namespace)' is not a namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit")
            }
            values["namespace"] = namespace.yamlQuoted
        }
        return values
    }

    /// A whole-number value rendered bare (`minReplicas: 1`), or its default when the spec leaves it out.
    private static func integer(
        _ key: String, in context: ManifestContext, default fallback: Int, range: ClosedRange<Int>, template: String
    ) throws(ManifestError) -> String {
        guard let text = context.values[key] else { return String(fallback) }
        guard let number = Int(text), range.contains(number) else {
            throw ManifestError(
                .invalidValue, template,
                "deploy.values.\(key) in .sluice.yml must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return String(number)
    }

    /// A DNS label (RFC 1123), or with `letterFirst` an RFC 1035 label as Service and InferenceService names must be.
    private static func isDNSLabel(_ text: String, letterFirst: Bool) -> Bool {
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        guard let first = text.first, let last = text.last, text.count <= 63, text.allSatisfy(allowed) else { return false }
        return first != "-" && (!letterFirst || first.isLetter) && last != "-"
    }

    /// A Kubernetes label value: at most 63 of `[A-Za-z0-9._-]`, starting and ending alphanumeric.
    private static func isLabelValue(_ text: String) -> Bool {
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        guard let first = text.first, let last = text.last, text.count <= 63, text.allSatisfy(allowed) else { return false }
        return (first.isLetter || first.isNumber) && (last.isLetter || last.isNumber)
    }
}
