import ArgumentParser
import Foundation
import SluiceCore

/// `sluice models`: registered versions, and what each environment held when.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List a model's registered versions, an environment's history, or download a version's artifact.",
        subcommands: [List.self, History.self, Download.self], defaultSubcommand: List.self)

    /// `sluice models [list] MODEL`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A model's versions with their lineage, oldest first.",
            discussion: "Asks the server at $SLUICE_URL with the API token in $SLUICE_TOKEN (any role).")

        @OptionGroup var server: ServerOption

        @Argument(help: "The model's registry name.")
        var model: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let versions: [ModelVersion] = try await server.connection().call(
                .get, "/api/v1/models/\(ServerConnection.segment(model))/versions", command: "models")
            if json {
                print(try ModelsCommand.json(versions))
                return
            }
            guard !versions.isEmpty else {
                print("No versions of \(model) yet.")
                return
            }
            print(TextTable.render(
                header: ["VERSION", "REGISTERED", "RUN", "COMMIT", "BRANCH", "BROUGHT BY", "PULL REQUEST", "DIGEST"],
                rows: versions.map { version in
                    [
                        version.number.description, version.registeredAt.formatted(.iso8601), version.run.id.description,
                        String(version.run.commit.prefix(12)), version.branch ?? "-",
                        version.broughtBy.isEmpty ? "-" : version.broughtBy.joined(separator: ", "),
                        version.pullRequest.map { "#\($0)" + (version.pullRequestRun.map { " (\($0))" } ?? "") } ?? "-",
                        version.artifactDigest.short,
                    ]
                }))
        }
    }

    /// `sluice models history MODEL --env ENV [--at TIME]`.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every move of an environment, or the version it held at a time.",
            discussion: "Asks the server at $SLUICE_URL with the API token in $SLUICE_TOKEN (any role).")

        @OptionGroup var server: ServerOption

        @OptionGroup var target: ModelEnvironment

        @Option(help: "An ISO 8601 time (2026-11-27T10:00:00Z): print only the version held then.")
        var at: String?

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if let at, (try? Date(at, strategy: .iso8601)) == nil {
                throw ValidationError("--at \(at) is not an ISO 8601 time; write it as 2026-11-27T10:00:00Z")
            }
        }

        /// What `GET /api/v1/models/{model}/environments/{env}` answers.
        private struct EnvironmentState: Decodable {
            let version: ModelVersion.Number?
            let history: [EnvironmentChange]
        }

        func run() async throws {
            let path = "/api/v1/models/\(ServerConnection.segment(target.model))/environments/\(ServerConnection.segment(target.env))"
            let query = at.map { "?at=" + ServerConnection.segment($0) } ?? ""
            let state: EnvironmentState = try await server.connection().call(.get, path + query, command: "models history")
            if let at {
                print(state.version.map { "\(target.model) \($0)" } ?? "\(target.env) held no version of \(target.model) at \(at)")
                return
            }
            let history = state.history
            if json {
                print(try ModelsCommand.json(history))
                return
            }
            guard !history.isEmpty else {
                print("\(target.env) has never held a version of \(target.model).")
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
