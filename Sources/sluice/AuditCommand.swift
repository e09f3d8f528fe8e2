import ArgumentParser

/// `sluice audit`: checks and exports the audit log in the store.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify or export the audit log.",
        subcommands: [AuditVerifyCommand.self, AuditExportCommand.self])
}
