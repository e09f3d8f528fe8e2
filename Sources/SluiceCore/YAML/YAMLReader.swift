import Foundation
import Yams

/// Reads typed values out of a composed YAML document for one decoder, collecting every problem
/// with its position and key path.
///
/// The server's `sluice.yml` and a repository's `.sluice.yml` are decoded by hand over
/// `Yams.compose` rather than `Codable`: that is what lets each problem carry the node's line and
/// column and a key path like `gate[1].max`, and lets decoding carry on past the first problem.
/// This type holds what both decoders share (the schema check of a mapping with did-you-mean,
/// scalars, lists, names, relative paths and the problem list); each decoder keeps only its own
/// schema. Every method that returns nil has reported why. Only type errors quote a value, and
/// shortened; callers keep secrets and URLs out of their own messages.
struct YAMLReader {
    /// The file as the user named it, for problems.
    let file: String
    private(set) var problems: [ConfigProblem] = []

    init(file: String) {
        self.file = file
    }

    /// Problems in document order; those without a position first.
    var sortedProblems: [ConfigProblem] {
        let all = problems.isEmpty
            ? [ConfigProblem(.invalidValue, file: file, line: 0, column: 0, keyPath: "", message: "the file could not be decoded")]
            : problems
        return all.enumerated().sorted { lhs, rhs in
            (lhs.element.line, lhs.element.column, lhs.offset) < (rhs.element.line, rhs.element.column, rhs.offset)
        }.map(\.element)
    }

    // MARK: - Document

    /// The document's root node, or nil after reporting why there is none.
    ///
    /// A text with no document at all (empty, or comments only) is reported as a missing key at
    /// `keyPath` with `message`, which should say what the file needs.
    mutating func compose(_ yaml: String, ifEmpty keyPath: String, _ message: String) -> Node? {
        let document: Node?
        do {
            document = try Yams.compose(yaml: yaml)
        } catch {
            reportSyntax(error, in: yaml)
            return nil
        }
        guard let document else {
            report(.missingKey, at: nil, keyPath, message)
            return nil
        }
        return document
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

    // MARK: - Mappings

    /// The keys of a mapping whose keys the schema fixes; an unknown key is reported with the
    /// closest known key, or the list of known keys when none is close.
    mutating func fields(_ node: Node, path: String, known: [String]) -> YAMLFields? {
        guard let mapping = node.mapping else {
            let what = path.isEmpty ? "the document" : path
            report(.wrongType, at: node.mark, path, "expected a mapping for \(what) (keys: \(known.joined(separator: ", "))), got \(Self.describe(node))")
            return nil
        }
        var names: [String] = []
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
            names.append(name)
            entries[name] = (key, value)
        }
        return YAMLFields(path: path, mark: node.mark, names: names, entries: entries)
    }

    /// The entries of a mapping whose keys are the user's own (environment variables, template
    /// values), in document order.
    mutating func entries(_ node: Node, path: String, expected: String) -> [(name: String, key: Node, value: Node)]? {
        guard let mapping = node.mapping else {
            report(.wrongType, at: node.mark, path, "expected a mapping of \(expected), got \(Self.describe(node))")
            return nil
        }
        var result: [(name: String, key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, !name.isEmpty else {
                report(.wrongType, at: key.mark, path, "expected a key name, got \(Self.describe(key))")
                continue
            }
            result.append((name, key, value))
        }
        return result
    }

    /// The value of a required key, or nil after reporting it missing with what it should hold.
    mutating func required(_ fields: YAMLFields, _ key: String, _ expected: String) -> Node? {
        if let node = fields[key] {
            return node
        }
        report(.missingKey, at: fields.mark, fields.child(key), "required key is missing; expected \(expected)")
        return nil
    }

    /// Whether the resolver typed a node as `name` (a plain `~` is null, a quoted `"~"` a string).
    static func hasTag(_ node: Node, _ name: Tag.Name) -> Bool {
        node.tag.description == name.rawValue
    }

    // MARK: - Scalars

    /// A non-empty string; numbers and booleans count, as their text.
    mutating func string(_ node: Node, path: String) -> String? {
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

    /// Any scalar's text as written (`1`, `true`, `sklearn`), possibly empty, for values that are
    /// handed on as text.
    mutating func scalarText(_ node: Node, path: String) -> String? {
        guard let scalar = node.scalar, !Self.hasTag(node, .null) else {
            report(.wrongType, at: node.mark, path, "expected a single value (text, a number or true/false), got \(Self.describe(node))")
            return nil
        }
        return scalar.string
    }

    mutating func integer(_ node: Node, path: String, in range: ClosedRange<Int>, expected: String) -> Int? {
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

    /// A finite number, written as an integer or a decimal.
    mutating func number(_ node: Node, path: String) -> Double? {
        guard let scalar = node.scalar, Self.hasTag(node, .int) || Self.hasTag(node, .float),
            let value = Double(scalar.string), value.isFinite
        else {
            report(.wrongType, at: node.mark, path, "expected a number, got \(Self.describe(node))")
            return nil
        }
        return value
    }

    mutating func boolean(_ node: Node, path: String) -> Bool? {
        guard Self.hasTag(node, .bool), let value = node.bool else {
            report(.wrongType, at: node.mark, path, "expected true or false, got \(Self.describe(node))")
            return nil
        }
        return value
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(
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

    static func choices<Choice: RawRepresentable & CaseIterable>(_: Choice.Type) -> String where Choice.RawValue == String {
        Choice.allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// A name that appears in URLs: `[a-z0-9][a-z0-9._-]*`.
    mutating func name(_ node: Node, path: String) -> String? {
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

    /// A git branch name; only spaces are refused here, the forge refuses the rest on push.
    mutating func branch(_ node: Node, path: String) -> String? {
        guard let value = string(node, path: path) else { return nil }
        if value.contains(where: \.isWhitespace) {
            report(.invalidValue, at: node.mark, path, "a branch name cannot contain spaces")
        }
        return value
    }

    /// Whether `text` can name an environment variable: ASCII letters, digits and `_`, not
    /// starting with a digit.
    static func isVariableName(_ text: String) -> Bool {
        text.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && text.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// Reports a path that would leave `folder`: absolute (or `~`), or with a `..` component or a
    /// backslash. `folder` is how the message names what the path is relative to.
    mutating func checkRelativePath(_ value: String, at node: Node, path: String, inside folder: String) {
        if value.hasPrefix("/") || value.hasPrefix("~") {
            report(.invalidValue, at: node.mark, path, "must be relative to \(folder), not absolute")
        }
        if value.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) || value.contains("\\") {
            report(.invalidValue, at: node.mark, path, "must stay inside \(folder): no '..' components or backslashes")
        }
    }

    // MARK: - Lists

    mutating func list(_ node: Node, path: String) -> [Node]? {
        guard let sequence = node.sequence else {
            report(.wrongType, at: node.mark, path, "expected a list, got \(Self.describe(node))")
            return nil
        }
        return Array(sequence)
    }

    /// Every item a string, or nil when any is not.
    mutating func stringList(_ node: Node, path: String) -> [String]? {
        guard let items = list(node, path: path) else { return nil }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            if let text = string(item, path: "\(path)[\(index)]") {
                result.append(text)
            }
        }
        return result.count == items.count ? result : nil
    }

    /// Where a list entry first used a name.
    typealias FirstUse = (index: Int, line: Int)

    /// Reports a `name` already used by an earlier entry of the same list, even when other keys of
    /// either entry have problems of their own.
    ///
    /// `seen` maps each name to the entry that used it first. With `citingLine` the message also
    /// gives that entry's line, which helps in lists whose entries span several lines each.
    mutating func checkUnique(
        _ nameNode: Node?, path: String, kind: String, list: String, index: Int,
        seen: inout [String: FirstUse], citingLine: Bool = false
    ) {
        guard let name = nameNode?.scalar?.string, !name.isEmpty else { return }
        if let first = seen[name] {
            let line = citingLine ? " (line \(first.line))" : ""
            report(.duplicate, at: nameNode?.mark, "\(path).name", "\(kind) name '\(name)' is already used by \(list)[\(first.index)]\(line)")
        } else {
            seen[name] = (index, nameNode?.mark?.line ?? 0)
        }
    }

    // MARK: - Reporting

    mutating func report(_ code: ConfigProblem.Code, at mark: Mark?, _ keyPath: String, _ message: String) {
        report(code, line: mark?.line ?? 1, column: mark?.column ?? 1, keyPath, message)
    }

    mutating func report(_ code: ConfigProblem.Code, line: Int, column: Int, _ keyPath: String, _ message: String) {
        problems.append(ConfigProblem(code, file: file, line: line, column: column, keyPath: keyPath, message: message))
    }

    /// How a node looks, for "expected X, got Y"; scalars are quoted and shortened.
    static func describe(_ node: Node) -> String {
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
