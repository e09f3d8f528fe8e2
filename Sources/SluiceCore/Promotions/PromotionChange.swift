import Foundation

/// What one promotion decision changes: decided by the rules in `Promotion+Rules.swift` without
/// a database, written by the store in one transaction.
public struct PromotionChange: Sendable {
    /// What an audit note is about.
    public enum Subject: Sendable, Hashable {
        case promotion(Promotion.ID)
        /// The promotion this change creates, whose number the store gives.
        case created
        /// The model in the environment (`churn in production`).
        case environment
    }

    /// One audit entry the change makes.
    public struct Note: Sendable, Hashable {
        public var actor: String
        public var action: String
        public var subject: Subject
        public var details: [String: String] = [:]
    }

    public enum PinChange: Sendable, Hashable {
        case set(EnvironmentPin)
        case lift
    }

    public var model: String
    public var environment: String
    /// When it was decided: the time of every row and audit entry it writes.
    public var at: Date
    /// Promotions as they become. The store writes each only while its `revision` is still the one
    /// the rules read, so a decision made on a row that changed meanwhile is refused, not merged.
    var updated: [Promotion] = []
    /// A promotion to create; its `id` and `revision` are the store's to give.
    public var created: Promotion?
    /// An approval to record.
    public var approval: (promotion: Promotion.ID, approval: Promotion.Approval)?
    public var pin: PinChange?
    /// The environment's move, when the change applies a promotion or moves it by hand.
    public var move: EnvironmentChange?
    /// The audit entries, in order.
    public var notes: [Note] = []
    /// The existing promotion the decision is about, which the caller gets back as it ended up
    /// (``created`` takes its place when there is one).
    public var answer: Promotion.ID?

    init(_ state: EnvironmentState, at: Date, answer: Promotion.ID? = nil) {
        model = state.model
        environment = state.environment
        self.at = at
        self.answer = answer
    }

    /// Adds `other`'s writes after this change's, as one decision.
    mutating func include(_ other: PromotionChange) {
        updated += other.updated
        created = other.created ?? created
        approval = other.approval ?? approval
        pin = other.pin ?? pin
        move = other.move ?? move
        notes += other.notes
    }

    /// Ends each of `promotions` as superseded, saying by what.
    mutating func supersede(_ promotions: [Promotion], reason: String, by superseder: String) {
        for var promotion in promotions {
            promotion.state = .superseded
            promotion.reason = reason
            promotion.updatedAt = at
            updated.append(promotion)
            notes.append(Note(actor: "sluice", action: "promotion.superseded", subject: .promotion(promotion.id), details: ["by": superseder]))
        }
    }
}
