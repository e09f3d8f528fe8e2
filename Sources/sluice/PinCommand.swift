import ArgumentParser
import Foundation
import SluiceCore

/// `sluice pin MODEL --env ENV --as NAME --reason TEXT`: freezes promotion into an environment.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Freeze promotion of a model into an environment until unpinned; its promotions wait.")

    @OptionGroup var config: ConfigOption

    @Argument(help: "The model's registry name.")
    var model: String

    @Option(help: "The environment to freeze.")
    var env: String

    @Option(name: .customLong("as"), help: "Who pins it, for the record.")
    var actor: String

    @Option(help: "Why, shown on every promotion that waits.")
    var reason: String

    func run() async throws {
        let store = try Store(stateDirectory: try config.load().stateDirectory)
        try await store.pin(model, environment: env, by: actor, reason: reason)
        print("\(env) is pinned for \(model): its promotions wait until 'sluice unpin \(model) --env \(env)'")
    }
}

/// `sluice unpin MODEL --env ENV --as NAME`: lifts a pin; approved promotions go ahead.
struct UnpinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin", abstract: "Lift a pin; waiting promotions that have their approvals go ahead.")

    @OptionGroup var config: ConfigOption

    @Argument(help: "The model's registry name.")
    var model: String

    @Option(help: "The pinned environment.")
    var env: String

    @Option(name: .customLong("as"), help: "Who unpins it, for the record.")
    var actor: String

    func run() async throws {
        let store = try Store(stateDirectory: try config.load().stateDirectory)
        do {
            try await store.unpin(model, environment: env, by: actor)
            print("\(env) is no longer pinned for \(model)")
        } catch {
            FileHandle.standardError.write(Data("sluice unpin: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
