import ArgumentParser
import Foundation
import SluiceCore

/// `sluice pin MODEL --env ENV --reason TEXT`: freezes promotion into an environment.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Freeze promotion of a model into an environment until unpinned; its promotions wait.",
        discussion: "Goes through the server at $SLUICE_URL with a release-manager token in $SLUICE_TOKEN.")

    @OptionGroup var server: ServerOption

    @OptionGroup var target: ModelEnvironment

    @Option(help: "Why, shown on every promotion that waits.")
    var reason: String

    func run() async throws {
        let _: PinState = try await server.connection().call(
            .post, PinState.path(target.model, target.env), body: ["reason": reason], command: "pin")
        print("\(target.env) is pinned for \(target.model): its promotions wait until 'sluice unpin \(target.model) --env \(target.env)'")
    }
}

/// `sluice unpin MODEL --env ENV`: lifts a pin; approved promotions go ahead.
struct UnpinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin", abstract: "Lift a pin; waiting promotions that have their approvals go ahead.",
        discussion: "Goes through the server at $SLUICE_URL with a release-manager token in $SLUICE_TOKEN.")

    @OptionGroup var server: ServerOption

    @OptionGroup var target: ModelEnvironment

    func run() async throws {
        let state: PinState = try await server.connection().call(.delete, PinState.path(target.model, target.env), command: "unpin")
        print("\(target.env) is no longer pinned for \(target.model)")
        state.promotions.forEach { print(PromotionOutcome.line($0)) }
    }
}

/// What the server answers to a pin or an unpin.
struct PinState: Decodable {
    let pinned: Bool
    /// The promotions an unpin let go, as they ended up.
    let promotions: [Promotion]

    static func path(_ model: String, _ environment: String) -> String {
        "/api/v1/models/\(ServerConnection.segment(model))/environments/\(ServerConnection.segment(environment))/pin"
    }
}
