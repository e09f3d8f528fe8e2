import Foundation

/// Reads for the web UI's lists.
extension Store {
    /// Every model with a registered version, by name.
    public func modelNames() async throws(StoreError) -> [String] {
        try await read("list models") { db in
            try db.values(String.self, "SELECT DISTINCT model FROM model_versions ORDER BY model")
        }
    }

    /// The newest `limit` audit entries, newest first.
    public func recentAuditEntries(limit: Int) async throws(StoreError) -> [AuditEntry] {
        let newest = try await read("find the newest audit entry") { db in
            try db.value(Int64.self, "SELECT MAX(sequence) FROM audit_log") ?? 0
        }
        return try await auditEntries(after: max(0, newest - Int64(limit)), limit: limit).reversed()
    }

    /// The kind of each of the triggers `ids`.
    public func triggerKinds(_ ids: [Int64]) async throws(StoreError) -> [Int64: Trigger.Kind] {
        guard !ids.isEmpty else { return [:] }
        return try await read("read trigger kinds") { db in
            let arguments = SQLArguments(ids)
            let rows = try db.rows("SELECT id, kind FROM triggers WHERE id IN (\(arguments.placeholders))", arguments)
            return Dictionary(
                uniqueKeysWithValues: rows.compactMap { row in
                    Trigger.Kind(rawValue: row["kind"]).map { (row["id"] as Int64, $0) }
                })
        }
    }

    /// The trigger `id`, as it was queued; nil when there is none.
    public func trigger(_ id: Int64) async throws(StoreError) -> Trigger? {
        try await read("read trigger \(id)") { db in
            try db.value(String.self, "SELECT payload FROM triggers WHERE id = ?", [id])
                .map { try JSONDecoder().decode(Trigger.self, from: Data($0.utf8)) }
        }
    }

    /// The environments that ever held a version of `model`, in the order they first did.
    public func environments(of model: String) async throws(StoreError) -> [String] {
        try await read("list the environments of \(model)") { db in
            try db.values(
                String.self, "SELECT environment FROM environment_history WHERE model = ? GROUP BY environment ORDER BY MIN(id)",
                [model])
        }
    }
}
