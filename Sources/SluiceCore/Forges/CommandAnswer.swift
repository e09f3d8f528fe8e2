/// What Sluice answers to a `/sluice` comment, as the reply comment on its pull request.
///
/// Every word that came from the comment or the repository is escaped, so a command cannot make
/// Sluice's reply carry markup of the commenter's choosing.
public enum CommandAnswer: Sendable, Hashable {
    /// A decision on a promotion was recorded; the promotion as it ended up.
    case decided(Promotion)
    /// The gate runs on `commit`; `sandboxed` for a fork's code.
    case running(commit: String, sandboxed: Bool)
    /// Refused, and why.
    case refused(String)

    /// The reply's Markdown.
    func body(for command: CommentCommand) -> String {
        let asked = ["/sluice", command.verb.rawValue, command.environment].compactMap { $0 }.joined(separator: " ")
        let lead = "**Sluice** · \(Markdown.codeSpan(asked)) by \(Markdown.escaped(command.commenter))"
        switch self {
        case .refused(let reason):
            return "\(lead): ❌ refused: \(Markdown.escaped(reason))\n"
        case .running(let commit, let sandboxed):
            let how = sandboxed ? " in the sandbox, without network or the project's secrets (a fork's code)" : ""
            return "\(lead): ▶️ running the gate on \(Markdown.codeSpan(String(commit.prefix(12))))\(how).\n"
        case .decided(let promotion):
            let subject = Markdown.escaped("\(promotion.id) (\(promotion.model) \(promotion.version) to \(promotion.environment))")
            let reason = promotion.reason.map(Markdown.escaped)
            let what: String
            switch promotion.state {
            case .applied:
                what = "✅ approved \(subject); applied as deploy commit \(Markdown.codeSpan(String((promotion.deployCommit ?? "").prefix(12))))"
            case .approved:
                what = "✅ approved \(subject); not written to the deploy repository yet: \(reason ?? "it is tried again every minute")"
            case .pendingApproval:
                what = "✅ approval recorded for \(subject): \(promotion.approvals.count) of \(promotion.requiredApprovals) approvals"
                    + (reason.map { "; \($0)" } ?? "")
            case .rejected:
                what = "🛑 rejected \(subject)"
            case .failed, .superseded:
                what = "\(subject) is \(promotion.state.rawValue): \(reason ?? "")"
            }
            return "\(lead): \(what)\n"
        }
    }
}
