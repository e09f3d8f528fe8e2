import ArgumentParser
import Foundation
import SluiceCore

/// How a command tells what became of a promotion it approved, rolled back or applied.
enum PromotionOutcome {
    /// One line for standard output; promotions that failed or must wait say why.
    static func line(_ promotion: Promotion) -> String {
        let label = "\(promotion.id) (\(promotion.model) \(promotion.version) to \(promotion.environment))"
        switch promotion.state {
        case .applied:
            return "\(label): applied, deploy commit \(promotion.deployCommit.map { String($0.prefix(12)) } ?? "?")"
        case .approved:
            return "\(label): approved, \(promotion.reason ?? "not written yet")"
        case .pendingApproval:
            return "\(label): pending approval (\(promotion.approvals.count)/\(promotion.requiredApprovals) approvals)"
                + (promotion.reason.map { "; \($0)" } ?? "")
        case .failed, .rejected, .superseded:
            return "\(label): \(promotion.state.rawValue): \(promotion.reason ?? "")"
        }
    }

    /// Exits with status 1 when the promotion can no longer land as asked.
    static func exitIfFailed(_ promotion: Promotion) throws {
        if promotion.state == .failed { throw ExitCode(1) }
    }
}
