import ArgumentParser
import Foundation
import SluiceCore

/// `sluice promotions`: promotions waiting for approval or to be applied (all with `--all`).
struct PromotionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promotions",
        abstract: "List open promotions (pending approval or approved), newest first.",
        discussion: "Asks the server at $SLUICE_URL with the API token in $SLUICE_TOKEN (any role).")

    @OptionGroup var server: ServerOption

    @Flag(help: "Include applied, rejected, superseded and failed promotions.")
    var all = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let promotions: [Promotion] = try await server.connection().call(
            .get, "/api/v1/promotions" + (all ? "?all=true" : ""), command: "promotions")
        if json {
            print(try ModelsCommand.json(promotions))
            return
        }
        guard !promotions.isEmpty else {
            print(all ? "No promotions yet." : "No open promotions.")
            return
        }
        print(TextTable.render(
            header: ["ID", "MODEL", "ENVIRONMENT", "STATE", "APPROVALS", "REASON"],
            rows: promotions.map { promotion in
                [
                    String(promotion.id.rawValue), "\(promotion.model) \(promotion.version)", promotion.environment,
                    promotion.state.rawValue,
                    "\(promotion.approvals.count)/\(promotion.requiredApprovals)"
                        + (promotion.approvals.isEmpty ? "" : " (\(promotion.approvals.map(\.approver).joined(separator: ", ")))"),
                    promotion.reason ?? "",
                ]
            }))
    }
}

/// `sluice approve ID`: the caller's approval of a pending promotion, written to the deploy
/// repository at once when it completes the promotion.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a pending promotion as one of its environment's approvers.",
        discussion: """
            Goes through the server at $SLUICE_URL with your API token in $SLUICE_TOKEN (a \
            release-manager or admin token): the approver is whoever the token names, and must be \
            among the environment's approvers in the server config. The approval that completes a \
            promotion writes its manifest to the deploy repository before the command returns and \
            prints the deploy commit. When the repository cannot be reached the promotion stays \
            approved, says why, and is written by 'sluice apply' or by the server, which tries again \
            every minute.
            """)

    @OptionGroup var server: ServerOption

    @OptionGroup var number: PromotionNumber

    func run() async throws {
        let promotion: Promotion = try await server.connection().call(
            .post, "/api/v1/promotions/\(number.id)/approve", command: "approve")
        print("approved by \(promotion.approvals.last?.approver ?? "you"). " + PromotionOutcome.line(promotion))
        try PromotionOutcome.exitIfFailed(promotion)
    }
}

/// `sluice reject ID --reason TEXT`: ends a pending promotion.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject a pending promotion as one of its environment's approvers.",
        discussion: "Goes through the server at $SLUICE_URL with your release-manager token in $SLUICE_TOKEN.")

    @OptionGroup var server: ServerOption

    @OptionGroup var number: PromotionNumber

    @Option(help: "Why, for the record.")
    var reason: String

    func run() async throws {
        let promotion: Promotion = try await server.connection().call(
            .post, "/api/v1/promotions/\(number.id)/reject", body: ["reason": reason], command: "reject")
        print("\(promotion.id): \(promotion.reason ?? "rejected")")
    }
}
