import Foundation

extension Store {
    /// Audit entries after `sequence`, oldest first, at most `limit` of them.
    public func auditEntries(after sequence: Int64 = 0, limit: Int) async throws(StoreError) -> [AuditEntry] {
        try await read("list audit entries") { db in
            let decoder = JSONDecoder()
            return try db.rows(
                """
                SELECT sequence, at_ms, actor, action, subject, details, previous_hash, hash
                FROM audit_log WHERE sequence > ? ORDER BY sequence LIMIT ?
                """,
                [sequence, limit]
            ).map { row in
                AuditEntry(
                    sequence: row["sequence"], at: Date(timeIntervalSince1970: Double(row["at_ms"] as Int64) / 1000),
                    actor: row["actor"], action: row["action"], subject: row["subject"],
                    details: try decoder.decode([String: String].self, from: Data((row["details"] as String).utf8)),
                    previousHash: row["previous_hash"], hash: row["hash"])
            }
        }
    }

    /// Recomputes the audit chain and names the first entry that breaks it.
    public func verifyAudit() async throws(StoreError) -> AuditVerification {
        try await read("verify the audit log") { db in try AuditLog.verify(in: db) }
    }

    /// Writes every audit entry to `output` as JSON lines, oldest first (see ``AuditEntry/jsonLine``),
    /// a page at a time, and returns how many it wrote.
    public func exportAudit(to output: FileHandle, pageSize: Int = 1000) async throws(StoreError) -> Int {
        var after: Int64 = 0
        var written = 0
        while true {
            let page = try await auditEntries(after: after, limit: pageSize)
            guard let last = page.last else { return written }
            do {
                try output.write(contentsOf: Data(page.map { $0.jsonLine + "\n" }.joined().utf8))
            } catch {
                throw StoreError(operation: "write the audit export", underlying: error)
            }
            after = last.sequence
            written += page.count
        }
    }
}
