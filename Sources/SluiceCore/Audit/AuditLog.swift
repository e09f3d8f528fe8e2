import Crypto
import Foundation
import GRDB

/// The append-only, hash-chained record of every decision Sluice makes, kept in the store.
///
/// Entry N's hash is the lower-case hex sha256 of the UTF-8 bytes of
/// `previousHash + "\n" + canonicalText`, where `previousHash` is entry N-1's hash (64 zeros for
/// entry 1) and the canonical text is the entry as one line of canonical JSON (see
/// ``canonicalText(sequence:atMilliseconds:actor:action:subject:details:chain:)``). Editing,
/// removing or reordering any entry therefore breaks the chain at that entry. Entries are
/// appended inside the transaction that writes what they record, so the two commit or roll back
/// together, and SQLite's single writer numbers them without gaps.
enum AuditLog {
    /// The previous hash of the first entry.
    static let genesisHash = String(repeating: "0", count: 64)

    /// Appends an entry for `draft`, numbered after the last one and chained to its hash.
    ///
    /// Must run inside the caller's write transaction: the entry is part of the change it records.
    static func append(_ draft: AuditEntry.Draft, at date: Date, in db: Database) throws -> AuditEntry {
        precondition(db.isInsideTransaction, "an audit entry commits with the change it records")
        let last = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1"))
        let sequence = (last?["sequence"] as Int64? ?? 0) + 1
        let previousHash = last?["hash"] as String? ?? genesisHash
        let milliseconds = AuditEntry.milliseconds(date)
        let details = CanonicalJSON.object(draft.details)
        let hash = Self.hash(
            previous: previousHash,
            canonicalText: canonicalText(
                sequence: sequence, atMilliseconds: milliseconds, actor: draft.actor, action: draft.action,
                subject: draft.subject, details: details))
        try db.cachedStatement(
            sql: """
                INSERT INTO audit_log (sequence, at_ms, actor, action, subject, details, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [sequence, milliseconds, draft.actor, draft.action, draft.subject, details, previousHash, hash])
        return AuditEntry(
            sequence: sequence, at: Date(timeIntervalSince1970: Double(milliseconds) / 1000), actor: draft.actor,
            action: draft.action, subject: draft.subject, details: draft.details, previousHash: previousHash, hash: hash)
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
    static func verify(in db: Database) throws -> AuditVerification {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT sequence, at_ms, actor, action, subject, details, previous_hash, hash
                FROM audit_log ORDER BY sequence
                """)
        var expected: Int64 = 1
        var previousHash = genesisHash
        while let row = try rows.next() {
            guard let sequence = Int64.fromDatabaseValue(row["sequence"]) else {
                return .broken(sequence: expected, reason: .unreadable(column: "sequence"))
            }
            guard sequence == expected else { return .broken(sequence: expected, reason: .missing(next: sequence)) }
            func text(_ column: String) -> String? { String.fromDatabaseValue(row[column]) }
            func unreadable(_ column: String) -> AuditVerification {
                .broken(sequence: sequence, reason: .unreadable(column: column))
            }
            guard let milliseconds = Int64.fromDatabaseValue(row["at_ms"]) else { return unreadable("at_ms") }
            guard let actor = text("actor") else { return unreadable("actor") }
            guard let action = text("action") else { return unreadable("action") }
            guard let subject = text("subject") else { return unreadable("subject") }
            guard let details = text("details") else { return unreadable("details") }
            guard let storedPreviousHash = text("previous_hash") else { return unreadable("previous_hash") }
            guard let storedHash = text("hash") else { return unreadable("hash") }
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
        return .intact(count: expected - 1, lastHash: previousHash)
    }
}
