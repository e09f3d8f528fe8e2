import ArgumentParser
import Foundation
import SluiceCore

/// `sluice rollback MODEL --env ENV [--to VERSION] --as NAME --reason TEXT`.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Put an environment back on a version it held before, and pin it there.",
        discussion: """
            For release managers. Without --to, the environment goes back to the version it held \
            before its current one; --to names another version it held before (a version it never \
            held needs a promotion and its approvals). The older version's manifest is written to the \
            deploy repository at once, open promotions to the environment are superseded, and the \
            environment is pinned so no automatic promotion undoes the rollback: 'sluice unpin' \
            lifts that. Goes through the server at $SLUICE_URL with a release-manager token in \
            $SLUICE_TOKEN, whose name is recorded as who rolled back.
            """)

    @OptionGroup var server: ServerOption

    @OptionGroup var target: ModelEnvironment

    @Option(help: "The version to go back to, as 3 or v3 (default: the one before the current).")
    var to: String?

    @Option(help: "Why, for the record and the deploy commit.")
    var reason: String

    func validate() throws {
        if let to, Self.versionNumber(to) == nil {
            throw ValidationError("--to takes a version number such as 3 or v3, not '\(to)'")
        }
    }

    func run() async throws {
        var body: [String: any Sendable] = ["environment": target.env, "reason": reason]
        body["to"] = to.flatMap(Self.versionNumber)?.rawValue
        let promotion: Promotion = try await server.connection().call(
            .post, "/api/v1/models/\(ServerConnection.segment(target.model))/rollback", body: body, command: "rollback")
        print(PromotionOutcome.line(promotion))
        print("\(target.env) is pinned for \(target.model) so no automatic promotion undoes this; 'sluice unpin \(target.model) --env \(target.env)' lifts it")
        try PromotionOutcome.exitIfFailed(promotion)
    }

    private static func versionNumber(_ text: String) -> ModelVersion.Number? {
        Int(text.hasPrefix("v") ? String(text.dropFirst()) : text).flatMap { $0 > 0 ? ModelVersion.Number($0) : nil }
    }
}
