import CodedErrors

/// One thing wrong with a YAML file Sluice reads, the server's `sluice.yml` or a model repository's
/// `.sluice.yml`, with the file position and key path that locate it.
///
/// Both decoders collect every problem they find rather than stopping at the first, so the file is
/// fixed in one pass; `ConfigError` and `SpecError` carry the list. Messages never contain a
/// secret's value: they name the environment variable or the position of a bad entry instead.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    public typealias Code = ErrorCode<ConfigProblem>

    public let code: Code
    /// The file as named to the parser (`sluice.yml`, `.sluice.yml`).
    public let file: String
    /// 1-based line, or 0 when the problem has no position (an unreadable file).
    public let line: Int
    /// 1-based column, or 0 when the problem has no position.
    public let column: Int
    /// Where in the document, `projects[1].webhook_secret_env`; empty for the document itself.
    let keyPath: String
    public let message: String

    public init(_ code: Code, file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// `sluice.yml:12:5: projects[1].webhok_secret_env: unknown key; did you mean 'webhook_secret_env'?`
    public var description: String {
        var text = file
        if line > 0 {
            text += ":\(line):\(column)"
        }
        text += ": "
        if !keyPath.isEmpty {
            text += "\(keyPath): "
        }
        return text + message
    }
}

extension ErrorCode<ConfigProblem> {
    /// The file could not be read or is not UTF-8.
    static var unreadable: Self { Self("unreadable") }
    /// The text is not valid YAML (or holds a duplicated key).
    static var syntax: Self { Self("syntax") }
    /// A key the schema does not know; the message suggests the closest known key.
    static var unknownKey: Self { Self("unknown key") }
    /// A required key is absent.
    static var missingKey: Self { Self("missing key") }
    /// The value has the wrong YAML shape (a list where a string belongs, text for a number).
    static var wrongType: Self { Self("wrong type") }
    /// The value has the right shape but is not allowed (an unknown forge, a port above 65535,
    /// a timeout without a unit).
    static var invalidValue: Self { Self("invalid value") }
    /// An environment variable named by an `_env` key is unset or empty.
    static var missingEnvironmentVariable: Self { Self("missing environment variable") }
    /// Two entries share a name that must be unique, or a model is owned twice.
    public static var duplicate: Self { Self("duplicate") }
    /// Keys that are valid alone but not together.
    public static var conflict: Self { Self("conflict") }
    /// A pipeline spec sets what only the server config may (an environment's protection).
    static var serverPolicy: Self { Self("server policy") }
}
