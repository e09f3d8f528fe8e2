import ArgumentParser
import Foundation
import SluiceCore

/// `sluice apply`: writes every approved promotion to the deploy repository now.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Write every approved promotion that is not yet in the deploy repository.",
        discussion: """
            Approvals and rollbacks write at once, and the server writes what is left on start \
            and every minute; this is for after an outage of the deploy repository, now. Each promotion lands as \
            exactly one commit, even when an earlier attempt pushed it and then crashed. Goes \
            through the server at $SLUICE_URL with a release-manager token in $SLUICE_TOKEN. Exit \
            status 1 when any promotion failed or still waits.
            """)

    @OptionGroup var server: ServerOption

    func run() async throws {
        let promotions: [Promotion] = try await server.connection().call(.post, "/api/v1/promotions/apply", command: "apply")
        guard !promotions.isEmpty else {
            print("No approved promotions wait to be written.")
            return
        }
        promotions.forEach { print(PromotionOutcome.line($0)) }
        if promotions.contains(where: { $0.state != .applied }) { throw ExitCode(1) }
    }
}
