import ArgumentParser
import Foundation
import SluiceCore

/// `--config FILE`, shared by every command that needs the server config.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The server config file.")
    var config = "sluice.yml"

    /// Loads the config, or exits with status 2 after printing every problem as
    /// `file:line:column: key.path: message`.
    func load() throws -> ServerConfig {
        try loading { file throws(ConfigError) in try ServerConfig.load(from: file) }
    }

    /// Only where the config keeps the store and its artifacts, for offline maintenance: of the
    /// server's secrets, only the database URL (with `store.url_env`) must be set. Exits 2 as
    /// `load` does.
    func storeLocation() throws -> StoreLocation {
        try loading { file throws(ConfigError) in try ServerConfig.storeLocation(configuredIn: file) }
    }

    private func loading<T>(_ read: (URL) throws(ConfigError) -> T) throws -> T {
        guard FileManager.default.fileExists(atPath: config) else {
            FileHandle.standardError.write(
                Data("sluice: no config file at \(config); write one (README, 'Running the server') or pass --config FILE\n".utf8))
            throw ExitCode(2)
        }
        do {
            return try read(URL(fileURLWithPath: config))
        } catch {
            FileHandle.standardError.write(Data("sluice: the config has problems:\n\(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension ConfigOption {
    /// Sluice's templates folder, or exits with status 2 saying how to point at one.
    static func templates() throws -> URL {
        guard let templates = TemplatesFolder.locate() else {
            FileHandle.standardError.write(
                Data("sluice: could not find Sluice's templates folder; set SLUICE_TEMPLATES to the templates/ folder of a Sluice checkout\n".utf8))
            throw ExitCode(2)
        }
        return templates
    }
}
