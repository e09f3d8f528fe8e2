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
            lifts that.
            """)

    @OptionGroup var config: ConfigOption

    @Argument(help: "The model's registry name.")
    var model: String

    @Option(help: "The environment to roll back.")
    var env: String

    @Option(help: "The version to go back to, as 3 or v3 (default: the one before the current).")
    var to: String?

    @Option(name: .customLong("as"), help: "Who rolls back, for the record.")
    var actor: String

    @Option(help: "Why, for the record and the deploy commit.")
    var reason: String

    func validate() throws {
        if let to, Self.versionNumber(to) == nil {
            throw ValidationError("--to takes a version number such as 3 or v3, not '\(to)'")
        }
    }

    func run() async throws {
        let (_, promoter) = try config.promoter()
        do {
            let promotion = try await promoter.rollback(
                model, in: env, to: to.flatMap(Self.versionNumber), by: actor, reason: reason)
            print(PromotionOutcome.line(promotion))
            print("\(env) is pinned for \(model) so no automatic promotion undoes this; 'sluice unpin \(model) --env \(env)' lifts it")
            try PromotionOutcome.exitIfFailed(promotion)
        } catch let error as PromotionError {
            FileHandle.standardError.write(Data("sluice rollback: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    private static func versionNumber(_ text: String) -> ModelVersion.Number? {
        Int(text.hasPrefix("v") ? String(text.dropFirst()) : text).flatMap { $0 > 0 ? ModelVersion.Number($0) : nil }
    }
}
