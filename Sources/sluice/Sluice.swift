import ArgumentParser

/// The `sluice` command line: one subcommand per job; wiring only, no logic of its own.
@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "GitOps continuous training: gate, register and promote models from git pushes.",
        version: VersionCommand.text,
        subcommands: [
            ServeCommand.self, RunCommand.self, InitCommand.self, ModelsCommand.self, PromotionsCommand.self,
            ApproveCommand.self, RejectCommand.self, RollbackCommand.self, ApplyCommand.self, PinCommand.self, UnpinCommand.self, AuditCommand.self,
            DeliveriesCommand.self, GCCommand.self, VersionCommand.self,
        ])
}
