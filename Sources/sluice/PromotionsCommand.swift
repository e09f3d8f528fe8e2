import ArgumentParser
import Foundation
import SluiceCore

/// `sluice promotions`: promotions waiting for approval or to be applied (all with `--all`).
struct PromotionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promotions",
        abstract: "List open promotions (pending approval or approved), newest first.")

    @OptionGroup var config: ConfigOption

    @Flag(help: "Include applied, rejected, superseded and failed promotions.")
    var all = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let config = try config.load()
        let promotions = try await Store(stateDirectory: config.stateDirectory).promotions(all: all)
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

/// `sluice approve ID --as NAME`: one approver's approval of a pending promotion, written to the
/// deploy repository at once when it completes the promotion.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a pending promotion as one of its environment's approvers.",
        discussion: """
            The approval that completes a promotion writes its manifest to the deploy repository \
            before the command returns and prints the deploy commit. When the repository cannot be \
            reached the promotion stays approved, says why, and is written by 'sluice apply' or by \
            the running server, which tries again every minute.
            """)

    @OptionGroup var config: ConfigOption

    @Argument(help: "The promotion's number (sluice promotions lists them).")
    var id: Int64

    @Option(name: .customLong("as"), help: "Your forge user name, as listed in the environment's approvers.")
    var approver: String

    func run() async throws {
        let (_, promoter) = try config.promoter()
        do {
            let promotion = try await promoter.approve(Promotion.ID(id), as: approver)
            print("approved by \(approver). " + PromotionOutcome.line(promotion))
            try PromotionOutcome.exitIfFailed(promotion)
        } catch let error as PromotionError {
            FileHandle.standardError.write(Data("sluice approve: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `sluice reject ID --as NAME --reason TEXT`: ends a pending promotion.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject a pending promotion as one of its environment's approvers.")

    @OptionGroup var config: ConfigOption

    @Argument(help: "The promotion's number (sluice promotions lists them).")
    var id: Int64

    @Option(name: .customLong("as"), help: "Your forge user name, as listed in the environment's approvers.")
    var approver: String

    @Option(help: "Why, for the record.")
    var reason: String

    func run() async throws {
        let config = try config.load()
        let store = try Store(stateDirectory: config.stateDirectory)
        do {
            let promotion = try await store.reject(Promotion.ID(id), as: approver, reason: reason)
            print("\(promotion.id): \(promotion.reason ?? "rejected")")
        } catch {
            FileHandle.standardError.write(Data("sluice reject: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
