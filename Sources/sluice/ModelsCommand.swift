import ArgumentParser
import Foundation
import SluiceCore

/// `sluice models`: registered versions, and what each environment held when.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List a model's registered versions, or an environment's history.",
        subcommands: [List.self, History.self], defaultSubcommand: List.self)

    /// `sluice models [list] MODEL`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A model's versions with their lineage, oldest first.")

        @OptionGroup var config: ConfigOption

        @Argument(help: "The model's registry name.")
        var model: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let config = try config.load()
            let versions = try await Store(stateDirectory: config.stateDirectory).versions(of: model)
            if json {
                print(try ModelsCommand.json(versions))
                return
            }
            guard !versions.isEmpty else {
                print("No versions of \(model) yet.")
                return
            }
            print(TextTable.render(
                header: ["VERSION", "REGISTERED", "RUN", "COMMIT", "BRANCH", "DIGEST"],
                rows: versions.map { version in
                    [
                        version.number.description, version.registeredAt.formatted(.iso8601), version.run.id.description,
                        String(version.run.commit.prefix(12)), version.branch ?? "-",
                        String(version.artifactDigest.prefix(19)),
                    ]
                }))
        }
    }

    /// `sluice models history MODEL --env ENV [--at TIME]`.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every move of an environment, or the version it held at a time.")

        @OptionGroup var config: ConfigOption

        @Argument(help: "The model's registry name.")
        var model: String

        @Option(help: "The environment (production, staging, ...).")
        var env: String

        @Option(help: "An ISO 8601 time (2026-11-27T10:00:00Z): print only the version held then.")
        var at: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let config = try config.load()
            let store = try Store(stateDirectory: config.stateDirectory)
            if let at {
                guard let date = try? Date(at, strategy: .iso8601) else {
                    throw ValidationError("--at \(at) is not an ISO 8601 time; write it as 2026-11-27T10:00:00Z")
                }
                let number = try await store.version(of: model, in: env, at: date)
                print(number.map { "\(model) \($0)" } ?? "\(env) held no version of \(model) at \(at)")
                return
            }
            let history = try await store.environmentHistory(of: model, environment: env)
            if json {
                print(try ModelsCommand.json(history))
                return
            }
            guard !history.isEmpty else {
                print("\(env) has never held a version of \(model).")
                return
            }
            print(TextTable.render(
                header: ["AT", "FROM", "TO", "BY", "WHY"],
                rows: history.map { change in
                    [
                        change.at.formatted(.iso8601), change.from?.description ?? "-", change.to?.description ?? "-",
                        change.actor, change.reason,
                    ]
                }))
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
