extension String {
    /// The string as a YAML double-quoted scalar that parses back to exactly this string.
    ///
    /// `\` and `"` are escaped, and so is every character YAML does not allow raw inside quotes or
    /// would read as a line break (C0 and C1 controls, DEL, U+2028, U+2029, the BOM), so the result
    /// is always one line and no value can close the quotes and add keys, items or documents.
    var yamlQuoted: String {
        var out = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case "\u{00}"..."\u{1F}", "\u{7F}"..."\u{9F}":
                out += "\\x" + Self.hex(scalar.value, digits: 2)
            case "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}":
                out += "\\u" + Self.hex(scalar.value, digits: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: digits - text.count) + text
    }
}
