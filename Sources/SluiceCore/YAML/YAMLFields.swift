import Yams

/// The keys of one YAML mapping after `YAMLReader.fields` checked them against a schema; a null
/// value counts as absent.
///
/// The key nodes are kept beside the values so a problem about the key itself (a conflict between
/// two keys, a missing environment variable) can point at the key rather than at its value.
struct YAMLFields {
    /// Where the mapping sits, `projects[1]`; empty for the document itself.
    let path: String
    let mark: Mark?
    /// The known keys the mapping holds, in document order.
    let names: [String]
    let entries: [String: (key: Node, value: Node)]

    subscript(key: String) -> Node? {
        guard let value = entries[key]?.value, !YAMLReader.hasTag(value, .null) || value.scalar == nil else { return nil }
        return value
    }

    func has(_ key: String) -> Bool { self[key] != nil }

    func keyMark(_ key: String) -> Mark? { entries[key]?.key.mark ?? mark }

    /// The key path of `key` inside this mapping.
    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
