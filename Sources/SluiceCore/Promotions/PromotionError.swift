/// Why a promotion request, approval or rejection was refused; the message says why and who may.
public struct PromotionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was refused; an open set so new checks need no breaking change.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let notFound = Code("not found")
        /// The promotion is no longer waiting for approval.
        public static let notPending = Code("not pending")
        /// The person is not among the environment's approvers.
        public static let notApprover = Code("not an approver")
        /// The person wrote the commit that produced the version.
        public static let selfApproval = Code("self-approval")
        /// The person already approved this promotion.
        public static let alreadyApproved = Code("already approved")
        /// The environment cannot go back to that version: it holds it, never held it, or holds nothing.
        public static let invalidRollback = Code("invalid rollback")
        /// The version's commit or its `.sluice.yml` cannot be read.
        public static let unreadableSource = Code("unreadable source")
        public static let store = Code("store")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
