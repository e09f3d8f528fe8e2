import CodedErrors

/// Why a promotion request, approval or rejection was refused; the message says why and who may.
public typealias PromotionError = CodedError<Promotion, NoDetail>

extension ErrorCode<Promotion> {
    public static var notFound: Self { Self("not found") }
    /// The promotion is no longer waiting for approval.
    public static var notPending: Self { Self("not pending") }
    /// The person is not among the environment's approvers.
    static var notApprover: Self { Self("not an approver") }
    /// The person wrote the commit that produced the version.
    static var selfApproval: Self { Self("self-approval") }
    /// The person already approved this promotion.
    static var alreadyApproved: Self { Self("already approved") }
    /// The environment cannot go back to that version: it holds it, never held it, or holds nothing.
    public static var invalidRollback: Self { Self("invalid rollback") }
    /// The version's commit or its `.sluice.yml` cannot be read.
    public static var unreadableSource: Self { Self("unreadable source") }
    /// The promotion changed between the read a decision was made on and its write; try again.
    public static var conflict: Self { Self("conflict") }
    public static var store: Self { Self("store") }
}
