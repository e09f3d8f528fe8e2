import Foundation

extension ServerConfig {
    /// Reads, parses and validates a server config file, taking secrets from `environment`.
    ///
    /// Relative paths in the file (`state_dir`) resolve against the file's folder, not the
    /// working directory, so the service behaves the same whoever starts it.
    public static func load(
        from file: URL,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> ServerConfig {
        let (name, text) = try read(file)
        return try parse(
            text,
            file: name,
            environment: environment,
            baseDirectory: file.absoluteURL.deletingLastPathComponent()
        )
    }

    /// Where the store a config file names keeps its rows and artifacts, reading no secret but the
    /// database URL and the artifact bucket's keys: what offline maintenance of the store needs
    /// (`sluice audit`, `sluice gc`).
    public static func storeLocation(configuredIn file: URL) throws(ConfigError) -> StoreLocation {
        let (name, text) = try read(file)
        var decoder = ConfigDecoder(
            file: name, environment: ProcessInfo.processInfo.environment,
            baseDirectory: file.absoluteURL.deletingLastPathComponent())
        if let location = decoder.decodeStoreLocation(text), decoder.problems.isEmpty {
            return location
        }
        throw ConfigError(problems: decoder.sortedProblems)
    }

    /// The file's name for problems, and its text.
    private static func read(_ file: URL) throws(ConfigError) -> (name: String, text: String) {
        let name = file.isFileURL ? file.relativePath : file.absoluteString
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            let reason = (error as? CocoaError)?.code == .fileReadNoSuchFile ? "no such file" : "cannot read the file"
            throw ConfigError(problems: [
                ConfigProblem(.unreadable, file: name, line: 0, column: 0, keyPath: "", message: reason)
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(problems: [
                ConfigProblem(.unreadable, file: name, line: 0, column: 0, keyPath: "", message: "the file is not UTF-8 text")
            ])
        }
        return (name, text)
    }

    /// Parses and validates config text; `file` is the name used in problems and `baseDirectory`
    /// is where relative paths resolve.
    public static func parse(
        _ yaml: String,
        file: String,
        environment: [String: String],
        baseDirectory: URL
    ) throws(ConfigError) -> ServerConfig {
        var decoder = ConfigDecoder(file: file, environment: environment, baseDirectory: baseDirectory)
        let config = decoder.decode(yaml)
        if let config, decoder.problems.isEmpty {
            return config
        }
        throw ConfigError(problems: decoder.sortedProblems)
    }
}
