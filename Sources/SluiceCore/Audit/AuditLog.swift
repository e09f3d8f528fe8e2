import Crypto
import Foundation

/// The append-only, hash-chained record of every decision Sluice makes, kept in the store.
///
/// Entry N's hash is the lower-case hex sha256 of the UTF-8 bytes of
/// `previousHash + "\n" + canonicalText`, where `previousHash` is entry N-1's hash (64 zeros for
/// entry 1) and the canonical text is the entry as one line of canonical JSON (see
/// ``canonicalText(sequence:atMilliseconds:actor:action:subject:details:chain:)``). Editing,
/// removing or reordering any entry therefore breaks the chain at that entry. Entries are
/// appended inside the transaction that writes what they record, so the two commit or roll back
/// together, and the store's writers take turns (SQLite's one writer, PostgreSQL's write lock), so
/// they are numbered without gaps in one line, however many replicas write.
enum AuditLog {
    /// The previous hash of the first entry.
    static let genesisHash = String(repeating: "0", count: 64)

    /// Appends an entry for `draft`, numbered after the last one and chained to its hash.
    ///
    /// Must run inside the caller's write transaction: the entry is part of the change it records.
    static func append(_ draft: AuditEntry.Draft, at date: Date, in db: any StoreConnection) throws -> AuditEntry {
        try append([(draft, date)], in: db)[0]
    }

    /// Appends an entry for each draft, in order, with one read of the chain's head and one insert.
    static func append(_ drafts: [(draft: AuditEntry.Draft, at: Date)], in db: any StoreConnection) throws -> [AuditEntry] {
        guard !drafts.isEmpty else { return [] }
        let last = try db.row("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1")
        var sequence = last?["sequence"] as Int64? ?? 0
        var previousHash = last?["hash"] as String? ?? genesisHash
        var entries: [AuditEntry] = []
        var rows: [[(any SQLValueConvertible)?]] = []
        for (draft, date) in drafts {
            sequence += 1
            let milliseconds = AuditEntry.milliseconds(date)
            let details = CanonicalJSON.object(draft.details)
            let hash = Self.hash(
                previous: previousHash,
                canonicalText: canonicalText(
                    sequence: sequence, atMilliseconds: milliseconds, actor: draft.actor, action: draft.action,
                    subject: draft.subject, details: details))
            rows.append([sequence, milliseconds, draft.actor, draft.action, draft.subject, details, previousHash, hash])
            entries.append(
                AuditEntry(
                    sequence: sequence, at: Date(timeIntervalSince1970: Double(milliseconds) / 1000), actor: draft.actor,
                    action: draft.action, subject: draft.subject, details: draft.details, previousHash: previousHash,
                    hash: hash))
            previousHash = hash
        }
        try db.insert(
            into: "audit_log", ["sequence", "at_ms", "actor", "action", "subject", "details", "previous_hash", "hash"], rows)
        return entries
    }

    /// The canonical text of an entry, the part that is hashed:
    /// `{"action":…,"actor":…,"at":<ms>,"details":{…},"sequence":<n>,"subject":…}`.
    ///
    /// Keys in byte order, no whitespace, strings escaped as ``CanonicalJSON`` does, `at` and
    /// `sequence` as plain integers, `details` the stored canonical object verbatim. With `chain`,
    /// `hash` and `previousHash` are added in their sorted places: the export line.
    static func canonicalText(
        sequence: Int64, atMilliseconds: Int64, actor: String, action: String, subject: String, details: String,
        chain: (previous: String, hash: String)? = nil
    ) -> String {
        var text = "{\"action\":"
        CanonicalJSON.appendString(action, to: &text)
        text += ",\"actor\":"
        CanonicalJSON.appendString(actor, to: &text)
        text += ",\"at\":\(atMilliseconds),\"details\":\(details)"
        if let chain {
            text += ",\"hash\":"
            CanonicalJSON.appendString(chain.hash, to: &text)
            text += ",\"previousHash\":"
            CanonicalJSON.appendString(chain.previous, to: &text)
        }
        text += ",\"sequence\":\(sequence),\"subject\":"
        CanonicalJSON.appendString(subject, to: &text)
        return text + "}"
    }

    /// sha256 of `previous`, a line feed and `canonicalText`, in lower-case hex.
    static func hash(previous: String, canonicalText: String) -> String {
        Hex.encode(SHA256.hash(data: Array("\(previous)\n\(canonicalText)".utf8)))
    }

    /// Recomputes the whole chain from the stored columns and reports the first entry that breaks it.
    /// Reads a page of entries at a time, inside the caller's one snapshot.
    static func verify(in db: any StoreConnection, pageSize: Int = 1000) throws -> AuditVerification {
        var expected: Int64 = 1
        var previousHash = genesisHash
        while true {
            let page = try db.rows(
                """
                SELECT sequence, at_ms, actor, action, subject, details, previous_hash, hash
                FROM audit_log WHERE sequence >= ? ORDER BY sequence LIMIT ?
                """,
                [expected, pageSize])
            for row in page {
                guard let sequence = row["sequence"] as Int64? else {
                    return .broken(sequence: expected, reason: .unreadable(column: "sequence"))
                }
                guard sequence == expected else { return .broken(sequence: expected, reason: .missing(next: sequence)) }
                func unreadable(_ column: String) -> AuditVerification {
                    .broken(sequence: sequence, reason: .unreadable(column: column))
                }
                guard let milliseconds = row["at_ms"] as Int64? else { return unreadable("at_ms") }
                guard let actor = row["actor"] as String? else { return unreadable("actor") }
                guard let action = row["action"] as String? else { return unreadable("action") }
                guard let subject = row["subject"] as String? else { return unreadable("subject") }
                guard let details = row["details"] as String? else { return unreadable("details") }
                guard let storedPreviousHash = row["previous_hash"] as String? else { return unreadable("previous_hash") }
                guard let storedHash = row["hash"] as String? else { return unreadable("hash") }
                guard storedPreviousHash == previousHash else {
                    return .broken(sequence: sequence, reason: .previousHashMismatch)
                }
                let recomputed = hash(
                    previous: previousHash,
                    canonicalText: canonicalText(
                        sequence: sequence, atMilliseconds: milliseconds, actor: actor, action: action, subject: subject,
                        details: details))
                guard recomputed == storedHash else { return .broken(sequence: sequence, reason: .hashMismatch) }
                previousHash = recomputed
                expected += 1
            }
            guard page.count == pageSize else { break }
        }
        return .intact(count: expected - 1, lastHash: previousHash)
    }
}
