/// What `Store.verifyAudit()` found: an intact chain, or the first entry that breaks it.
public enum AuditVerification: Sendable, Hashable, CustomStringConvertible {
    /// Every entry hashes to its stored hash and names the one before. `lastHash` is the head of
    /// the chain: kept elsewhere, it also proves later that no entry was cut off the end, which
    /// the chain alone cannot show.
    case intact(count: Int64, lastHash: String)
    /// Entry `sequence` is the first that does not hold.
    case broken(sequence: Int64, reason: Reason)

    /// Why an entry breaks the chain.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// Its contents do not hash to its stored hash: it was edited after it was written.
        case hashMismatch
        /// Its previous hash is not the hash of the entry before: an entry before it was replaced.
        case previousHashMismatch
        /// It is missing; the next entry present is `next`.
        case missing(next: Int64)
        /// A column is NULL or not of its type, so its hash cannot be recomputed.
        case unreadable(column: String)

        public var description: String {
            switch self {
            case .hashMismatch: "its hash does not match its contents"
            case .previousHashMismatch: "its previous hash is not the hash of the entry before it"
            case .missing(let next): "it is missing (the next entry present is \(next))"
            case .unreadable(let column): "its \(column) is missing or not of its type"
            }
        }
    }

    var isIntact: Bool {
        if case .intact = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .intact(let count, _): "audit log intact: \(count) \(count == 1 ? "entry" : "entries")"
        case .broken(let sequence, let reason): "audit log broken at entry \(sequence): \(reason)"
        }
    }
}
