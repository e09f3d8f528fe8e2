import ArgumentParser
import SluiceCore

/// `sluice audit verify`: recomputes the audit chain; exits 1 naming the first broken entry.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the audit log's hash chain and name the first broken entry.")

    @OptionGroup var config: ConfigOption

    func run() async throws {
        let verification = try await Store.open(config.storeLocation()).verifyAudit()
        print(verification)
        switch verification {
        case .intact(_, let lastHash): print("head: \(lastHash)")
        case .broken: throw ExitCode.failure
        }
    }
}
