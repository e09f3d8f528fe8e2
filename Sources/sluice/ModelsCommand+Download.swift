import ArgumentParser
import Foundation
import SluiceCore

extension ModelsCommand {
    /// `sluice models download MODEL@VERSION [--output PATH]`.
    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a version's artifact, verified by its digest.",
            discussion: """
                VERSION is a number (3 or v3), latest, or an environment (production: the version it holds now).

                A folder artifact is recreated file by file, each verified by its own digest, and appears only \
                once all of it is in place. Nothing existing is overwritten.

                Asks the server at $SLUICE_URL with the API token in $SLUICE_TOKEN (any role).
                """)

        @OptionGroup var server: ServerOption

        @Argument(help: "MODEL@VERSION, as in churn@3, churn@latest or churn@production.")
        var reference: String

        @Option(name: .shortAndLong, help: "Where to write it (default: the artifact's own name, in this folder).")
        var output: String?

        private var parts: (model: String, version: String)? {
            guard let at = reference.lastIndex(of: "@") else { return nil }
            let model = String(reference[..<at])
            let version = String(reference[reference.index(after: at)...])
            return model.isEmpty || version.isEmpty ? nil : (model, version)
        }

        func validate() throws {
            guard parts != nil else {
                throw ValidationError("write the version as MODEL@VERSION, as in churn@3, churn@latest or churn@production")
            }
        }

        func run() async throws {
            guard let (model, wanted) = parts else { return }
            let connection = try server.connection()
            let versions: [ModelVersion] = try await connection.call(
                .get, "/api/v1/models/\(ServerConnection.segment(model))/versions", command: "models download")
            let version = try await resolve(wanted, of: model, among: versions, connection: connection)
            let path = output ?? Self.defaultName(of: version)
            let written = try await ArtifactDownload(connection: connection, command: "models download")
                .fetch(version.artifactDigest, to: URL(fileURLWithPath: path))
            print("\(version.label): \(path) (\(written)), verified against \(version.artifactDigest)")
        }

        /// The version `wanted` names: a number, `latest`, or the environment that holds it now.
        private func resolve(
            _ wanted: String, of model: String, among versions: [ModelVersion], connection: ServerConnection
        ) async throws -> ModelVersion {
            let number: Int
            if wanted == "latest", let last = versions.last {
                return last
            } else if let plain = Int(wanted.hasPrefix("v") ? String(wanted.dropFirst()) : wanted) {
                number = plain
            } else {
                struct Held: Decodable { let version: ModelVersion.Number? }
                let path = "/api/v1/models/\(ServerConnection.segment(model))/environments/\(ServerConnection.segment(wanted))"
                let held: Held = try await connection.call(.get, path, command: "models download")
                guard let version = held.version else {
                    throw connection.fail(
                        "models download",
                        "\(wanted) is neither a version number nor an environment holding a version of \(model); "
                            + "\(model) has \(versions.first?.number.description ?? "v1") to \(versions.last?.number.description ?? "v1")")
                }
                number = version.rawValue
            }
            guard let version = versions.first(where: { $0.number.rawValue == number }) else {
                throw connection.fail(
                    "models download",
                    "\(model) has no version \(number); its versions are "
                        + "\(versions.first?.number.description ?? "v1") to \(versions.last?.number.description ?? "v1")")
            }
            return version
        }

        /// The name the artifact had in its run (`model.joblib`), or `MODEL-vN` when that is unknown.
        private static func defaultName(of version: ModelVersion) -> String {
            let name = version.run.conclusion.artifactPath.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
            return name.isEmpty || name == "/" || name.hasPrefix(".") ? "\(version.model)-\(version.number)" : name
        }
    }
}
