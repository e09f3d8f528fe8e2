import Foundation

/// One entry of the audit log: who did what to which thing, and when, chained by hash to the
/// entry before it.
///
/// In JSON (the API, `sluice audit export`) `at` is whole Unix milliseconds, the value that was
/// hashed, so anyone holding an export can recompute the chain (see ``canonicalText``).
public struct AuditEntry: Sendable, Hashable, Codable {
    /// What a caller records; the log adds the sequence number, the time and the hashes.
    struct Draft: Sendable, Hashable {
        /// Who acted: `sluice`, a webhook source such as `github` or `data:lake`, or `api:<user>`.
        var actor: String
        /// What happened, as `noun.verb`: `delivery.accepted`, `run.finished`, `gate.failed`.
        var action: String
        /// What it happened to, as users read it: `delivery 12`, `run 3`.
        var subject: String
        var details: [String: String]

        init(actor: String, action: String, subject: String, details: [String: String] = [:]) {
            self.actor = actor
            self.action = action
            self.subject = subject
            self.details = details
        }
    }

    /// 1, 2, 3, ... without gaps.
    public let sequence: Int64
    /// When it was recorded, to the millisecond.
    public let at: Date
    public let actor: String
    public let action: String
    public let subject: String
    public let details: [String: String]
    /// The hash of the entry before; 64 zeros for the first.
    let previousHash: String
    /// Lower-case hex sha256 of `previousHash`, a line feed, and ``canonicalText``.
    public let hash: String

    init(
        sequence: Int64, at: Date, actor: String, action: String, subject: String, details: [String: String],
        previousHash: String, hash: String
    ) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The entry's time as the log stores and hashes it: whole milliseconds since 1970.
    var atMilliseconds: Int64 { Self.milliseconds(at) }

    /// The text whose UTF-8 bytes are hashed, as `AuditLog.canonicalText` defines it.
    var canonicalText: String {
        AuditLog.canonicalText(
            sequence: sequence, atMilliseconds: atMilliseconds, actor: actor, action: action, subject: subject,
            details: CanonicalJSON.object(details))
    }

    /// The entry as one line of `sluice audit export`: the canonical entry plus its two hashes,
    /// keys sorted, no trailing line feed.
    public var jsonLine: String {
        AuditLog.canonicalText(
            sequence: sequence, atMilliseconds: atMilliseconds, actor: actor, action: action, subject: subject,
            details: CanonicalJSON.object(details), chain: (previous: previousHash, hash: hash))
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private enum CodingKeys: String, CodingKey {
        case sequence, at, actor, action, subject, details, previousHash, hash
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sequence: try container.decode(Int64.self, forKey: .sequence),
            at: Date(timeIntervalSince1970: Double(try container.decode(Int64.self, forKey: .at)) / 1000),
            actor: try container.decode(String.self, forKey: .actor),
            action: try container.decode(String.self, forKey: .action),
            subject: try container.decode(String.self, forKey: .subject),
            details: try container.decode([String: String].self, forKey: .details),
            previousHash: try container.decode(String.self, forKey: .previousHash),
            hash: try container.decode(String.self, forKey: .hash))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(atMilliseconds, forKey: .at)
        try container.encode(actor, forKey: .actor)
        try container.encode(action, forKey: .action)
        try container.encode(subject, forKey: .subject)
        try container.encode(details, forKey: .details)
        try container.encode(previousHash, forKey: .previousHash)
        try container.encode(hash, forKey: .hash)
    }
}
